"""Shared HTTP plumbing: 413 for big bodies, 422 without echo, 503 for outages, quiet 500s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from shared.web.app import install_common

SECRET = "ZEBRA-MARKER-7731"


class Body(BaseModel):
    narrative: str
    age: int


def _app() -> FastAPI:
    app = FastAPI()
    install_common(app, max_body_bytes=1024)

    @app.post("/echo")
    async def echo(body: Body) -> dict[str, int]:
        return {"age": body.age}

    @app.get("/down")
    async def down() -> None:
        raise OperationalError("SELECT secret", {}, Exception(SECRET))

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError(SECRET)

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_declared_oversized_body_gets_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/echo", content=b"x" * 2048, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_streamed_oversized_body_gets_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 512

    response = await client.post(
        "/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_validation_error_names_field_without_echoing_input(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/echo", json={"narrative": SECRET, "age": "old"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "age"]
    assert SECRET not in response.text


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/echo", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


async def test_database_outage_is_503_with_retry_after(client: httpx.AsyncClient) -> None:
    response = await client.get("/down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert SECRET not in response.text


async def test_unexpected_error_hides_its_message(client: httpx.AsyncClient) -> None:
    response = await client.get("/bug")
    assert response.status_code == 500
    assert SECRET not in response.text
    assert "error_id" in response.json()


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
