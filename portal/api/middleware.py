"""Errors Django answers for `/api/v1/` before or outside DRF (an unknown URL, a refused host, a server error) as
problem+json, like every other API error: a client that reads the API never gets an HTML page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.problems import CONTENT_TYPE, TITLES, is_api, problem_response


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request.path) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith((CONTENT_TYPE, "application/json")):
            return response
        status = response.status_code
        detail = "There is no such API endpoint." if status == 404 else TITLES.get(status, "Error")
        answer = problem_response(status, detail)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if response.has_header(header):
                answer[header] = response[header]
        return answer
