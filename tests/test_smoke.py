"""The first things a person does: open the site, log in, see the home page, log out."""


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_home_logout(client, create_unit, create_user, login):
    school = create_unit("s1", "第一中学", "school")
    create_user("li", unit=school, name="李老师")
    login("li")
    page = client.get("/")
    assert page.status_code == 200
    assert "第一中学" in page.text
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, create_user):
    create_user("wang")
    response = client.post("/login", data={"username": "wang", "password": "nope"})
    assert response.status_code == 200
    assert "Wrong user name or password" in response.text or "用户名或密码错误" in response.text
