"""Django's Redis cache, reusing one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every call (about 170 response callbacks
registered each time), which cost more than the round trip itself on a page answered from what was kept
(docs/performance.md). A client is only a view over its pool and is safe to share between threads, so one per
pool serves every call; the pool is still Django's (and redis-py's, which reopens it after a fork)."""

from typing import Any, cast

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client = cast(Any, self)  # the pool helpers are private, so not in the stubs
        index = django_client._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = django_client._get_connection_pool(write)
            client = self._clients[index] = django_client._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
