"""`{% render_panel panel %}`: a panel of `portal.access.panels` rendered in the page's own context (request, CSRF
token, the signed-in person), with the panel's context on top, so no context processor runs twice."""

from django import template
from django.utils.safestring import SafeString

from portal.access.panels import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Panel) -> SafeString:
    if context.template is None:  # a Context rendered outside a template: nothing to take the engine from
        raise template.TemplateSyntaxError("render_panel renders inside a template only")
    found = context.template.engine.get_template(panel.template)
    with context.push(panel=panel, **panel.context):
        return found.render(context)
