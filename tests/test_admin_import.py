"""Bulk import of people from CSV and XLSX: checked as a whole, imported all or nothing."""

import io
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import event, func, select

from core import users
from core.models import AuditEvent, Role, RoleAssignment, User

HEADER = "username,name,unit_code,role,phone,email,password\n"


@pytest.fixture(autouse=True)
def private_instance(tmp_path, monkeypatch):
    """Generated passwords go under the instance folder: use a throwaway one."""
    monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def schools(create_unit):
    a = create_unit("sa", "School A", "school")
    b = create_unit("sb", "School B", "school")
    return SimpleNamespace(
        a=a, a1=create_unit("sa-c1", "A Class 1", "class", a),
        a2=create_unit("sa-c2", "A Class 2", "class", a),
        b=b, b1=create_unit("sb-c1", "B Class 1", "class", b),
    )


@pytest.fixture
def admin_a(schools, login_as):
    return login_as("core.unit_admin", schools.a, username="admin_a")


def upload(client, data: bytes, filename="people.csv"):
    return client.post("/admin/users/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count_users(db):
    return db.session.scalar(select(func.count()).select_from(User))


def problems(response) -> list[tuple[str, str, str]]:
    table = response.text.split('data-testid="problems"')[1].split("</tbody>")[0]
    cells = []
    for row in table.split("<tr>")[2:]:
        tds = [td.split("</td>")[0] for td in row.split("<td>")[1:]]
        cells.append(tuple(tds))
    return cells


def test_csv_utf8_imports_everyone_in_one_go(client, db, schools, admin_a):
    data = (HEADER +
            "s001,张三,sa-c1,,13800138000,,\n"
            "s002,李四,sa-c2,,,li4@example.cn,Welcome2026\n"
            "t001,王老师,sa-c1,core.unit_admin,,,\n").encode("utf-8")
    response = upload(client, data)
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).text
    assert "3 users imported from people.csv." in done
    assert "They belong to 2 units." in done and "1 role given." in done
    zhang = db.session.scalar(select(User).where(User.username == "s001"))
    assert zhang.name == "张三" and zhang.unit_id == schools.a1.id
    assert zhang.must_change_password and zhang.phone == "13800138000"
    teacher = db.session.scalar(select(User).where(User.username == "t001"))
    assert [(a.role.name, a.unit_id) for a in teacher.assignments] == [
        ("core.unit_admin", schools.a1.id)]
    imported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "core.users_imported")).all()
    assert sorted(e.unit_id for e in imported) == sorted([schools.a1.id, schools.a2.id])
    assert sorted(sum((e.data["users"] for e in imported), [])) == ["s001", "s002", "t001"]

    li = db.session.scalar(select(User).where(User.username == "s002"))
    assert users.authenticate("s002", "Welcome2026")[0] == li


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_with_bom_or_gbk_as_excel_saves_it(client, db, schools, admin_a, encoding):
    data = (HEADER + "s010,欧阳娜娜,sa-c1,,,,\r\n").encode(encoding)
    assert upload(client, data).status_code == 302
    assert db.session.scalar(select(User.name).where(User.username == "s010")) == "欧阳娜娜"


def test_xlsx_with_numbers_and_chinese_headings(client, db, schools, admin_a):
    data = xlsx([
        ["学号", "姓名", "单位代码", "手机"],
        [2024001, "周杰", "sa-c2", 13912345678],
        [None, None, None, None],
        [2024002, "吴敏", "sa-c2", None],
    ])
    response = upload(client, data, "people.xlsx")
    assert response.status_code == 302, response.text
    phone = db.session.scalar(select(User.phone).where(User.username == "2024001"))
    assert phone == "13912345678"
    assert db.session.scalar(select(User.name).where(User.username == "2024002")) == "吴敏"


def test_errors_name_row_and_column_and_nothing_is_imported(client, db, schools, admin_a,
                                                            create_user):
    create_user("exists", unit=schools.b1)
    before = count_users(db)
    data = (HEADER +
            "ok1,Fine,sa-c1,,,,\n"                          # row 2: fine
            "exists,Clash,sa-c1,,,,\n"                      # row 3: taken in the database
            "dup,First,sa-c1,,,,\n"                         # row 4
            "DUP,Second,sa-c1,,,,\n"                        # row 5: same as row 4
            "x1,Other school,sb-c1,,,,\n"                   # row 6: outside the scope
            "x2,Nowhere,zz-9,,,,\n"                         # row 7: unknown unit
            "x3,Bad role,sa-c1,core.nonsense,,,\n"          # row 8
            "x4,Bad phone,sa-c1,,12345,,\n"                 # row 9
            "x5,Bad mail,sa-c1,,,nope,\n"                   # row 10
            "x6,Weak,sa-c1,,,,abc\n"                        # row 11
            "bad name!,Spaces,sa-c1,,,,\n"                  # row 12
            ",No login,sa-c1,,,,\n").encode()               # row 13
    response = upload(client, data)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    found = problems(response)
    expected = {
        ("3", "A (username)", "User name exists already exists."),
        ("5", "A (username)", "User name DUP is already in row 4."),
        ("6", "C (unit_code)", "Unit code sb-c1 is unknown or outside your units."),
        ("7", "C (unit_code)", "Unit code zz-9 is unknown or outside your units."),
        ("8", "D (role)", "Role core.nonsense is unknown."),
        ("11", "G (password)", "Use at least 8 characters."),
        ("13", "A (username)", "The user name is missing."),
    }
    assert expected <= set(found), found
    rows = {(row, column) for row, column, _ in found}
    assert {("9", "E (phone)"), ("10", "F (email)"), ("12", "A (username)")} <= rows
    assert not any(row == "2" for row, _, _ in found)
    assert count_users(db) == before


def test_missing_and_unknown_columns(client, db, schools, admin_a):
    response = upload(client, b"username,fullname\nx,y\n")
    assert response.status_code == 422
    found = problems(response)
    assert ("1", "B (fullname)",
            "Unknown column. Use: username, name, unit_code, role, phone, email, password."
            ) in found
    assert ("1", "name", "Column name is missing.") in found
    assert ("1", "unit_code", "Column unit_code is missing.") in found


def test_unreadable_file(client, schools, admin_a):
    response = upload(client, b"PK\x03\x04 not really a workbook", "people.xlsx")
    assert response.status_code == 422
    assert "The file is not a valid XLSX workbook." in response.text
    wrong_type = upload(client, b"hello", "people.txt")
    assert wrong_type.status_code == 422 and "Choose a .csv or .xlsx file." in wrong_type.text


def test_role_needs_assign_permission_and_enabled_plugin(client, db, schools, login_as):
    # A person manager who may not assign roles cannot give roles through a file either.
    from core import roles

    manager = roles.role_by_name("core.auditor")
    roles.set_role_permissions(manager, {"core.manage_users"})
    db.session.commit()
    login_as("core.auditor", schools.a)
    response = upload(client, (HEADER + "r1,R,sa-c1,core.unit_admin,,,\n").encode())
    assert response.status_code == 422
    messages = [m for _, _, m in problems(response)]
    assert messages == ["You may not assign roles in sa-c1."]


PLUGIN = """
from core.api import Permission, RoleSpec, hookimpl


@hookimpl
def register_permissions():
    return [Permission("adm_imp1.help", "Help")]


@hookimpl
def register_roles():
    return [RoleSpec("adm_imp1.helper", "Library helper", ("adm_imp1.help",))]
"""


def test_plugin_roles_only_where_the_plugin_is_enabled(make_plugin, make_app):
    make_plugin("adm_imp1", PLUGIN)
    app = make_app()
    with app.app_context():
        from core import roles, units
        from core.extensions import db

        school = units.create_unit("s", "School")
        c1 = units.create_unit("s-c1", "Class 1", parent=school)
        units.create_unit("s-c2", "Class 2", parent=school)
        units.set_plugin_state("adm_imp1", c1, True)
        boss = users.create_user("boss", "Boss", "secret123", school)
        roles.assign(boss, "core.unit_admin", school)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": "boss", "password": "secret123"})
        refused = upload(client, (HEADER + "h1,H,s-c1,Library helper,,,\n"
                                  "h2,H,s-c2,adm_imp1.helper,,,\n").encode())
        assert problems(refused) == [("3", "D (role)", "Role adm_imp1.helper belongs to a "
                                      "plugin that is not enabled in s-c2.")]
        accepted = upload(client, (HEADER + "h1,H,s-c1,Library helper,,,\n"
                                   "h3,H,s-c2,Unit administrator,,,\n").encode())
        assert accepted.status_code == 302
        held = db.session.execute(
            select(User.username, Role.name).join(RoleAssignment.user).join(RoleAssignment.role)
            .where(User.username.in_(["h1", "h3"])).order_by(User.username)
        ).all()
        assert [tuple(r) for r in held] == [("h1", "adm_imp1.helper"), ("h3", "core.unit_admin")]


def test_a_unit_admin_cannot_import_into_another_school(client, db, schools, login_as):
    login_as("core.unit_admin", schools.b, username="admin_b")
    response = upload(client, (HEADER + "x,X,sa-c1,,,,\n").encode())
    assert response.status_code == 422
    assert "Unit code sa-c1 is unknown or outside your units." in response.text
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_three_thousand_rows_and_one_time_password_download(app, client, db, schools, admin_a):
    from core.api import set_setting

    set_setting("core", "import_task_rows", 5000)  # in the request: see the background test
    db.session.commit()
    lines = [HEADER]
    for i in range(3000):
        unit = "sa-c1" if i % 2 else "sa-c2"
        password = "Given2026" if i % 3 == 0 else ""
        lines.append(f"stu{i:05d},学生{i},{unit},,,,{password}\n")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = upload(client, "".join(lines).encode("utf-8"))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 302, response.text[:2000]
    assert len(statements) < 40, "the import must not query once per row"
    done = client.get("/admin/users/import/done").text
    assert "3000 users imported" in done
    assert db.session.scalar(
        select(func.count()).select_from(User).where(User.username.like("stu%"))) == 3000
    assert db.session.scalar(select(func.count()).select_from(RoleAssignment)) == 1  # admin_a

    link = done.split('data-testid="passwords-download"')[1].split('href="')[1].split('"')[0]
    folder = app.instance_path + "/import-passwords"
    download = client.get(link)
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2000  # the rows without a password in the file
    username, _, _, _, password = rows[1]
    assert users.authenticate(username, password)[0] is not None
    assert client.get(link).status_code == 404  # once only
    assert not list(Path(folder).glob("*.xlsx"))
    assert "downloaded already" in client.get("/admin/users/import/done").text


def test_password_file_is_only_for_the_importer(app, client, db, schools, admin_a, login_as):
    upload(client, (HEADER + "solo,=SUM(1),sa-c1,,,,\n").encode())
    done = client.get("/admin/users/import/done").text
    link = done.split('data-testid="passwords-download"')[1].split('href="')[1].split('"')[0]
    colleague = app.test_client()
    login_as("core.unit_admin", schools.a, using=colleague, username="admin_a2")
    assert colleague.get(link).status_code == 404
    download = client.get(link)
    assert download.status_code == 200
    name = openpyxl.load_workbook(io.BytesIO(download.data)).worksheets[0]["B2"]
    assert (name.value, name.data_type) == ("=SUM(1)", "s")  # text, never a formula


def test_templates_download(client, schools, admin_a):
    csv_file = client.get("/admin/users/import/template.csv")
    assert csv_file.data.startswith(b"\xef\xbb\xbfusername,name,unit_code,role,phone,email")
    book = client.get("/admin/users/import/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["username", "name", "unit_code", "role", "phone",
                                           "email", "password"]
    # The template imported back as it is reports that it has no people.
    response = upload(client, book.data, "users-template.xlsx")
    assert "The file has a heading row but no people." in response.text


def test_import_page_shows_progress_hooks(client, schools, admin_a):
    page = client.get("/admin/users/import").text
    assert "data-processing" in page and 'data-row-count="import-rows"' in page
    assert "admin.js" in page


def test_a_big_import_runs_as_a_task_with_its_passwords_for_the_importer_only(
        app, client, db, schools, admin_a, login_as):
    from core.tasks import TaskRun

    lines = [HEADER] + [f"big{i:04d},大{i},sa-c1,,,,{'Given2026' if i % 2 else ''}\n"
                        for i in range(400)]  # past the default threshold of 300 rows
    response = upload(client, "".join(lines).encode("utf-8"))
    assert response.status_code == 302 and "/tasks/" in response.location
    page = client.get(response.location).text
    assert 'data-status="done"' in page and "400 users imported" in page
    assert db.session.scalar(
        select(func.count()).select_from(User).where(User.username.like("big%"))) == 400
    run = db.session.scalars(select(TaskRun)).one()
    assert (run.done, run.total) == (400, 400)
    with client.get(f"/tasks/{run.id}/result") as download:
        rows = list(openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
                    .worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 200
    assert users.authenticate(rows[1][0], rows[1][4])[0] is not None
    colleague = app.test_client()
    login_as("core.unit_admin", schools.a, using=colleague, username="admin_a3")
    assert colleague.get(f"/tasks/{run.id}/result").status_code == 404
    assert not list(Path(app.config["UPLOAD_DIR"]).glob("task-inputs/*"))  # input removed
