"""A health centre with its departments and one person per role, for every test."""

from __future__ import annotations

import pytest


@pytest.fixture
def centre(app, db):
    """``centre.unit``, ``centre.depts[key]`` and ``centre.people[role]`` (demo's centre, made
    the same way, without the demo records)."""
    from danwei_hospital_safety.demo import centre_with_people

    from core.api import Demo

    unit, depts, people = centre_with_people(Demo(), code="t-hc", name="测试卫生院", prefix="t_")
    db.session.commit()

    class Centre:
        pass

    c = Centre()
    c.unit, c.depts, c.people, c.password = unit, depts, people, Demo.password
    return c


@pytest.fixture
def as_person(app, centre):
    """``as_person("officer")``: a test client logged in as that person of the centre."""

    def make(key_or_user):
        user = centre.people[key_or_user] if isinstance(key_or_user, str) else key_or_user
        client = app.test_client()
        response = client.post("/login", data={"username": user.username,
                                               "password": centre.password})
        assert response.status_code == 302, f"login of {user.username} failed"
        return client

    return make


@pytest.fixture
def png():
    return png_bytes()


def png_bytes() -> bytes:
    """A small real PNG, for photo uploads."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()
