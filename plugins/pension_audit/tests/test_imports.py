"""Imports: ID numbers, dates, encodings, bad rows refused as a whole or skipped on request,
never half-imported; and the property that the order or the splitting of a file changes no
finding."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from core.api import TaskCancelled, set_setting
from danwei_pension_audit import checks, imports, values
from danwei_pension_audit.generator import Population, id_number_for
from danwei_pension_audit.generator import load as load_population
from danwei_pension_audit.models import (
    DATA_MODELS,
    PensionAuditFinding,
    PensionAuditImport,
    PensionAuditMember,
)
from danwei_pension_audit.testing import make_engagement

GOOD = id_number_for(date(1958, 8, 8), 21)
OTHER = id_number_for(date(1972, 1, 31), 22)


# -- values ------------------------------------------------------------------------------------


def test_id_numbers_are_checked_and_old_ones_converted():
    assert values.id_number("11010519491231002X") == "11010519491231002X"
    assert values.id_number(" 11010519491231002x ") == "11010519491231002X"
    # 15 digits (before 1999): 19 inserted, check character computed.
    assert values.id_number("110105491231002") == "11010519491231002X"
    with pytest.raises(values.Bad, match="has 16"):
        values.id_number("1101051949123100")
    with pytest.raises(values.Bad, match="check digit"):
        values.id_number("110105194912310021")
    with pytest.raises(values.Bad, match="not a date"):
        values.id_number("110105194913310021")
    assert values.id_number(110105491231002) == "11010519491231002X"  # a number cell


def test_dates_as_text_as_excel_serials_and_months():
    assert values.a_date("2024-03-05") == date(2024, 3, 5)
    assert values.a_date("2024/3/5") == date(2024, 3, 5)
    assert values.a_date("2024年3月5日") == date(2024, 3, 5)
    assert values.a_date("20240305") == date(2024, 3, 5)
    assert values.a_date(45356) == date(2024, 3, 5)  # Excel's serial of 2024-03-05
    assert values.a_date("45356") == date(2024, 3, 5)
    assert values.a_month("2024-03") == date(2024, 3, 1)
    assert values.a_month("202403") == date(2024, 3, 1)
    assert values.a_month("2024年3月") == date(2024, 3, 1)
    for junk in ("2024-13-01", "yesterday", "0", "9999999"):
        with pytest.raises(values.Bad):
            values.a_date(junk)
    assert values.fen("1,234.50") == 123450
    assert values.fen(100) == 10000
    with pytest.raises(values.Bad, match="two decimals"):
        values.fen("1.234")
    assert values.rate_bp("1.75%") == 175


# -- over HTTP ---------------------------------------------------------------------------------


def upload(client, engagement, kind, filename, data, source="county bank"):
    # The body is encoded here: the test client would spool a large one to a temporary file
    # that it never closes (a ResourceWarning).
    boundary, body = encode_multipart({"kind": kind, "source": source,
                                       "file": FileStorage(io.BytesIO(data), filename)})
    return client.post(f"/pension_audit/{engagement.id}/imports/new", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def members_csv(rows, encoding="utf-8", header=("身份证号", "姓名", "出生日期", "村", "状态")):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def member_count(db):
    return db.session.scalar(select(func.count(PensionAuditMember.id)))


def start(client, location, **mapping):
    return client.post(location, data={f"map_{k}": v for k, v in mapping.items()})


MAPPING = {"id_number": "身份证号", "name": "姓名", "birth_date": "出生日期", "village": "村",
           "status": "状态"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_members_in_utf8_or_gbk_are_imported(app, db, client, county, login, encoding):
    login(county.auditor)
    data = members_csv([[GOOD, "王秀英", "1958-08-08", "东村", "领取待遇"],
                        [OTHER, "李建国", "1972/1/31", "西村", "缴费"]], encoding)
    response = upload(client, county.engagement, "members", "members.csv", data)
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"])
    assert 'selected>身份证号' in page.text.replace('"身份证号" ', "")  # guessed from the heading
    done = start(client, response.headers["Location"], **MAPPING)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).text
    assert 'data-state="imported"' in page
    names = set(db.session.scalars(select(PensionAuditMember.name)))
    assert names == {"王秀英", "李建国"}
    statuses = set(db.session.scalars(select(PensionAuditMember.status)))
    assert statuses == {"receiving", "paying"}


def test_a_file_with_bad_rows_is_refused_whole_then_imported_without_them(
        app, db, client, county, login):
    login(county.auditor)
    rows = [
        [GOOD, "王秀英", "1958-08-08", "东村", "缴费"],
        ["1101051949123100", "坏号", "", "", ""],            # line 3: 16-digit ID
        [],                                                   # a blank row: skipped
        [OTHER, "", "", "", ""],                              # line 5: no name
        [id_number_for(date(1960, 2, 2), 3), "日期", "2024-13-45", "", ""],  # line 6
        [GOOD, "又一个", "", "", ""],                          # line 7: duplicate of line 2
        [id_number_for(date(1961, 3, 3), 4), "张三", "22345", "", ""],  # Excel serial ≠ ID date
        [id_number_for(date(1962, 4, 4), 5), "李四", "", "", "正常缴费"],
    ]
    response = upload(client, county.engagement, "members", "m.csv", members_csv(rows))
    location = response.headers["Location"]
    page = client.get(start(client, location, **MAPPING).headers["Location"]).text
    assert 'data-state="refused"' in page
    assert member_count(db) == 0
    for line, words in ((3, "has 16"), (5, "Empty"), (6, "not a date"), (7, "Duplicate"),
                        (8, "differs from the birth date")):
        assert f"<tr><td>{line}</td>" in page, line
        assert words in page
    assert 'data-testid="rows-bad">5<' in page
    # The auditor chooses to import it without the bad rows.
    page = client.get(client.post(location, data={"skip_bad": "1"}).headers["Location"]).text
    assert 'data-state="imported"' in page
    assert set(db.session.scalars(select(PensionAuditMember.name))) == {"王秀英", "李四"}


def test_xlsx_with_a_formula_is_refused_and_dates_as_serials_are_read(app, db, client, county,
                                                                      login):
    login(county.auditor)

    def book(rows):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["身份证号", "月份", "金额"])
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    mapping = {"id_number": "身份证号", "month": "月份", "amount": "金额"}
    bad = book([[GOOD, "2024-01", 200], [GOOD, "2024-02", "=B2*2"]])
    location = upload(client, county.engagement, "payments", "p.xlsx", bad).headers["Location"]
    page = client.get(start(client, location, **mapping).headers["Location"]).text
    assert 'data-state="refused"' in page and "formula" in page
    assert db.session.scalar(select(func.count(DATA_MODELS["payments"].id))) == 0
    good = book([[GOOD, date(2024, 1, 1), 200.5], [GOOD, 45352, "201"], [None, None, None],
                 [GOOD, "2024/03", 202]])
    location = upload(client, county.engagement, "payments", "p.xlsx", good).headers["Location"]
    page = client.get(start(client, location, **mapping).headers["Location"]).text
    assert 'data-state="imported"' in page, page
    months = sorted(db.session.scalars(select(DATA_MODELS["payments"].month)))
    assert months == [date(2024, 1, 1), date(2024, 3, 1), date(2024, 3, 1)]


def test_unreadable_and_oversized_files_are_refused_at_upload(app, db, client, county, login):
    login(county.auditor)
    for name, data in (("x.csv", b""), ("x.xlsx", b"PK\x03\x04 not a zip"),
                       ("x.pdf", b"%PDF-1.4"), ("x.csv", b"\xff\xfe\x00")):
        response = upload(client, county.engagement, "members", name, data)
        assert response.status_code == 200 and "is-invalid" in response.text, name
    set_setting("pension_audit", "max_upload_mb", 1)
    db.session.commit()
    big = members_csv([[GOOD, "x" * 50, "", "", ""]] * 22000)
    response = upload(client, county.engagement, "members", "big.csv", big)
    assert response.status_code == 200 and "larger than 1 MB" in response.text
    assert db.session.scalar(select(func.count(PensionAuditImport.id))) == 0


def test_the_column_mapping_is_remembered_for_the_source(app, db, client, county, login):
    login(county.auditor)
    header = ("公民身份号码", "名字", "生日", "居住村", "人员类别")
    data = members_csv([[GOOD, "王秀英", "1958-08-08", "东村", "缴费"]], header=header)
    location = upload(client, county.engagement, "members", "a.csv", data).headers["Location"]
    start(client, location, id_number="公民身份号码", name="名字", birth_date="生日")
    data = members_csv([[OTHER, "李建国", "1972-01-31", "西村", "缴费"]], header=header)
    location = upload(client, county.engagement, "members", "b.csv", data).headers["Location"]
    page = client.get(location).text
    assert '<option value="名字" selected>' in page


def test_a_cancelled_import_leaves_nothing(app, db, county):
    record = PensionAuditImport(engagement_id=county.engagement.id, kind="members",
                                filename="m.csv", created_by_id=county.auditor.id,
                                mapping_json='{"id_number": "身份证号", "name": "姓名"}')
    db.session.add(record)
    db.session.flush()
    data = members_csv([[id_number_for(date(1960, 1, 1), n), "某", "", "", ""]
                        for n in range(1200)])

    def progress(done, total=None):
        if done > 600:
            raise TaskCancelled()

    with pytest.raises(TaskCancelled):
        imports.import_file(record, data, progress)
    db.session.rollback()
    assert member_count(db) == 0


# -- order and splitting change nothing --------------------------------------------------------


MONTHS = {"credited_month", "sealed_from", "month"}


def to_csv(kind: str, rows: list[dict]) -> bytes:
    fields = [f.key for f in imports.FIELDS[kind]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        cells = []
        for key in fields:
            value = row.get(key)
            if value is None:
                cells.append("")
            elif key in MONTHS:
                cells.append(f"{value:%Y-%m}")
            elif isinstance(value, date):
                cells.append(value.isoformat())
            elif key == "rate_bp":
                cells.append(f"{value / 100:.2f}")
            elif key in ("amount", "tier", "opening_balance", "interest",
                         "balance_at_retirement", "account_pension"):
                cells.append(f"{value / 100:.2f}")
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def import_rows(db, engagement, kind, rows, user_id):
    record = PensionAuditImport(engagement_id=engagement.id, kind=kind, filename=f"{kind}.csv",
                                created_by_id=user_id,
                                mapping_json=__import__("json").dumps(
                                    {f.key: f.key for f in imports.FIELDS[kind]}))
    db.session.add(record)
    db.session.flush()
    outcome = imports.import_file(record, to_csv(kind, rows))
    assert outcome.bad == 0, record.problems_json


def finding_set(db, engagement):
    checks.run_checks(engagement)
    db.session.commit()
    f = PensionAuditFinding
    return sorted(tuple(r) for r in db.session.execute(select(
        f.rule, f.id_number, f.period, f.expected, f.found).where(
        f.engagement_id == engagement.id)).all())


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), splits=st.lists(st.floats(0, 1), max_size=2))
def test_shuffling_or_splitting_the_import_changes_no_finding(app, db, county, seed, splits):
    population = Population(random.Random(5), 60, mistakes_every=6)
    rows: dict[str, list] = {kind: [] for kind in DATA_MODELS}
    for kind, row in population.rows():
        rows[kind].append(row)
    reference = make_engagement(db, county.town2, county.auditor, county.verifier)
    load_population(reference, Population(random.Random(5), 60, mistakes_every=6),
                    county.auditor.id)
    expected = finding_set(db, reference)
    assert expected  # the population has its mistakes
    engagement = make_engagement(db, county.town2, county.auditor, county.verifier)
    rng = random.Random(seed)
    for kind, kind_rows in rows.items():
        rng.shuffle(kind_rows)
        cuts = sorted({int(s * len(kind_rows)) for s in splits})
        for part in (kind_rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(kind_rows)],
                                                     strict=True)):
            if part:
                import_rows(db, engagement, kind, part, county.auditor.id)
    db.session.commit()
    assert finding_set(db, engagement) == expected
