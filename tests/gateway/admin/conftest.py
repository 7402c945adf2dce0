"""The staff API tests use the Zalo channel's fakes (a fake Zalo and a gateway pointed at it)."""

from tests.gateway.zalo.conftest import fake_zalo, make_zalo_client, zalo_url  # noqa: F401
