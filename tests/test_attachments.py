"""Attachments: checked by content, stored outside the web root under random names, served only
to users the owning plugin allows, with upright thumbnails of phone photos."""

from io import BytesIO
from pathlib import Path

import pytest

PLUGIN = '''
from flask import Blueprint, render_template_string
from flask_wtf import FlaskForm
from core.api import (AttachmentField, AttachmentKind, Permission, RoleSpec, Unit,
                      attachments_of, db, hookimpl, permission_required, require,
                      save_attachment)

bp = Blueprint("{name}", __name__)


class PhotoForm(FlaskForm):
    photo = AttachmentField("Photo", kind="{name}.photo", required=True)


class DocForm(FlaskForm):
    doc = AttachmentField("Document", kind="{name}.doc")


@bp.route("/<code>/photo", methods=["POST"])
@permission_required("{name}.report")
def photo(code):
    unit = db.session.scalar(db.select(Unit).where(Unit.code == code))
    require("{name}.report", unit)
    form = PhotoForm()
    if not form.validate_on_submit():
        return "; ".join(form.photo.errors), 400
    attachment = save_attachment(form.photo.data, "{name}.photo", ("hazard", 7), unit)
    db.session.commit()
    return str(attachment.id)


@bp.route("/<code>/doc", methods=["POST"])
@permission_required("{name}.report")
def doc(code):
    unit = db.session.scalar(db.select(Unit).where(Unit.code == code))
    form = DocForm()
    if not form.validate_on_submit():
        return "; ".join(form.doc.errors), 400
    attachment = save_attachment(form.doc.data, "{name}.doc", ("plan", 3), unit)
    db.session.commit()
    return str(attachment.id)


@bp.route("/hazard")
@permission_required("{name}.report")
def hazard():
    form = PhotoForm()
    return render_template_string(
        "{{% from 'attachments/_macros.html' import upload_field, attachment_list %}}"
        "{{{{ upload_field(form.photo) }}}}{{{{ attachment_list(files) }}}}",
        form=form, files=attachments_of(("hazard", 7)))


def only_the_owner(user, attachment):
    return user.username == "at-owner"


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("{name}.report", "Report hazards")]


@hookimpl
def register_roles():
    return [RoleSpec("{name}.inspector", "Inspector", ("{name}.report",))]


@hookimpl
def register_attachment_kinds():
    return [
        AttachmentKind("{name}.photo", "Hazard photo", types=("image",), max_size=200_000,
                       permission="{name}.report"),
        AttachmentKind("{name}.doc", "Plan", types=("pdf", "office"), can_view=only_the_owner),
    ]
'''

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def phone_photo(width=60, height=30, orientation=6) -> bytes:
    """A JPEG as a phone writes it: landscape pixels, EXIF saying "rotate 90° to view"."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def site(make_plugin, make_app):
    make_plugin("at_plug1", PLUGIN.format(name="at_plug1"))
    app = make_app()
    with app.app_context():
        from core import roles, units, users
        from core.extensions import db

        root = units.create_unit("at-root", "Company")
        a = units.create_unit("at-a", "Estate A", parent=root)
        b = units.create_unit("at-b", "Estate B", parent=root)
        units.set_plugin_state("at_plug1", root, True)
        for username, unit in (("at-a1", a), ("at-a2", a), ("at-b1", b), ("at-owner", a)):
            user = users.create_user(username, username, "secret123", unit)
            roles.assign(user, "at_plug1.inspector", unit)
        db.session.commit()
        yield app


def client_for(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "secret123"}
                       ).status_code == 302
    return client


def status(client, url) -> int:
    """The status of GET *url*, closing the response (files are streamed from disk)."""
    response = client.get(url)
    response.close()
    return response.status_code


def upload(client, path, field, data, filename):
    return client.post(path, data={field: (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_hook_register_attachment_kinds(site):
    from core.attachments import Attachment, kinds, path_of
    from core.extensions import db

    assert {"at_plug1.photo", "at_plug1.doc"} <= set(kinds())
    inspector = client_for(site, "at-a1")
    data = phone_photo()
    response = upload(inspector, "/at_plug1/at-a/photo", "photo", data, "IMG_0001.JPG")
    assert response.status_code == 200, response.text
    attachment = db.session.get(Attachment, int(response.text))

    # Stored outside the web root, under a random name, with the facts of the content.
    stored = path_of(attachment)
    assert Path(site.config["UPLOAD_DIR"]) in stored.parents
    assert "IMG_0001" not in stored.name and Path(site.static_folder) not in stored.parents
    assert (attachment.content_type, attachment.extension) == ("image/jpeg", "jpg")
    assert (attachment.width, attachment.height) == (30, 60)  # upright: portrait

    served = inspector.get(f"/attachments/{attachment.id}/IMG_0001.JPG")
    served.get_data()
    served.close()
    assert served.status_code == 200 and served.data == stored.read_bytes()
    assert served.headers["Content-Type"] == "image/jpeg"
    assert "private" in served.headers["Cache-Control"]

    thumb = inspector.get(f"/attachments/{attachment.id}/thumbnail")
    thumb.get_data()
    thumb.close()
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    from PIL import Image

    with Image.open(BytesIO(thumb.data)) as image:
        assert image.size == (30, 60)  # turned upright
        assert not image.getexif().get(0x0112)  # and the orientation tag is gone

    page = inspector.get("/at_plug1/hazard")
    assert f'src="/attachments/{attachment.id}/thumbnail"' in page.text
    assert 'accept="image/*,.jpg,.png,.gif,.webp"' in page.text
    assert "JPG, PNG, GIF, WEBP, at most 195 KB" in page.text


def test_a_faked_extension_is_refused(site):
    from core.attachments import Attachment
    from core.extensions import db

    inspector = client_for(site, "at-a1")
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = upload(inspector, "/at_plug1/at-a/photo", "photo", program, "photo.jpg")
    assert response.status_code == 400
    assert "photo.jpg is not an allowed file" in response.text
    assert "Allowed: JPG, PNG, GIF, WEBP" in response.text

    script = b"<html><script>alert(1)</script></html>"
    response = upload(inspector, "/at_plug1/at-a/photo", "photo", script, "cat.png")
    assert response.status_code == 400 and "unknown type" in response.text

    response = upload(inspector, "/at_plug1/at-a/photo", "photo", PDF, "scan.jpg")
    assert response.status_code == 400 and "application/pdf" in response.text

    # A JPEG signature with garbage behind it is not an image either.
    broken = phone_photo()[:40] + b"\x00" * 400
    response = upload(inspector, "/at_plug1/at-a/photo", "photo", broken, "half.jpg")
    assert response.status_code == 400 and "could not be read as an image" in response.text

    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    uploads = Path(site.config["UPLOAD_DIR"])
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def test_a_rolled_back_upload_leaves_no_file(site):
    from werkzeug.datastructures import FileStorage

    from core.attachments import path_of, save_attachment
    from core.extensions import db

    photo = FileStorage(BytesIO(phone_photo()), filename="p.jpg")
    attachment = save_attachment(photo, "at_plug1.photo", ("hazard", 9), None)
    stored = path_of(attachment)
    assert stored.is_file() and path_of(attachment, thumbnail=True).is_file()
    db.session.rollback()
    assert not stored.exists() and not path_of(attachment, thumbnail=True).exists()


def test_oversize_is_refused_with_a_clear_message(site):
    from PIL import Image

    inspector = client_for(site, "at-a1")
    big = BytesIO()
    Image.effect_noise((400, 400), 100).convert("RGB").save(big, "PNG")
    assert len(big.getvalue()) > 200_000
    response = upload(inspector, "/at_plug1/at-a/photo", "photo", big.getvalue(), "big.png")
    assert response.status_code == 400
    assert "big.png is too large: at most 195 KB is allowed." in response.text

    empty = upload(inspector, "/at_plug1/at-a/photo", "photo", b"", "nothing.jpg")
    assert empty.status_code == 400


def test_another_units_user_gets_404(site):
    inspector = client_for(site, "at-a1")
    attachment_id = upload(inspector, "/at_plug1/at-a/photo", "photo", phone_photo(),
                           "p.jpg").text
    colleague = client_for(site, "at-a2")
    assert status(colleague, f"/attachments/{attachment_id}") == 200

    other_estate = client_for(site, "at-b1")
    assert status(other_estate, f"/attachments/{attachment_id}") == 404
    assert status(other_estate, f"/attachments/{attachment_id}/thumbnail") == 404
    assert status(other_estate, "/attachments/999999") == 404

    anonymous = site.test_client()
    assert status(anonymous, f"/attachments/{attachment_id}") == 302


def test_the_owning_plugins_check_decides(site):
    from core import units
    from core.attachments import Attachment, delete_attachment
    from core.extensions import db

    owner = client_for(site, "at-owner")
    response = upload(owner, "/at_plug1/at-a/doc", "doc", PDF, "plan.pdf")
    assert response.status_code == 200, response.text
    served = owner.get(f"/attachments/{response.text}")
    served.close()
    assert served.status_code == 200 and served.headers["Content-Type"] == "application/pdf"
    assert client_for(site, "at-a1").get(f"/attachments/{response.text}").status_code == 404

    # Disabling the plugin for the unit hides its files; a deleted file is gone for everyone.
    units.set_plugin_state("at_plug1", units.by_code("at-a"), False)
    db.session.commit()
    assert status(owner, f"/attachments/{response.text}") == 404
    units.set_plugin_state("at_plug1", units.by_code("at-a"), True)
    delete_attachment(db.session.get(Attachment, int(response.text)))
    db.session.commit()
    assert status(owner, f"/attachments/{response.text}") == 404


def exif_photo() -> bytes:
    """A phone photo that tells where and with what it was taken, and which way is up."""
    from PIL import Image

    image = Image.new("RGB", (60, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to view
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0)}  # GPS IFD: a home's position
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def test_stored_photos_lose_their_exif_but_stay_upright(site):
    """Only thumbnails used to be stripped: the original kept the GPS position."""
    from PIL import Image

    from core.attachments import Attachment, path_of
    from core.extensions import db

    inspector = client_for(site, "at-a1")
    response = upload(inspector, "/at_plug1/at-a/photo", "photo", exif_photo(), "home.jpg")
    attachment = db.session.get(Attachment, int(response.text))
    stored = path_of(attachment).read_bytes()
    with Image.open(BytesIO(stored)) as image:
        assert not image.getexif(), dict(image.getexif())  # no GPS, no camera, no orientation
        assert image.size == (30, 60)  # the pixels were turned upright instead
        assert image.getpixel((15, 30))[0] > 150  # still the same red photo
    assert attachment.size == len(stored)
    served = inspector.get(f"/attachments/{attachment.id}")
    served.get_data()
    served.close()
    assert served.data == stored


@pytest.mark.parametrize(("data", "uploaded", "expected", "path"), [
    ("photo", "evil.html", "evil.jpg", "photo"),
    ("photo", "noext", "noext.jpg", "photo"),
    ("photo", "照片.JPEG", "照片.jpg", "photo"),
    ("pdf", "plan.pdf", "plan.pdf", "doc"),
    ("pdf", "plan.svg", "plan.pdf", "doc"),
])
def test_downloads_are_attachments_named_after_the_checked_type(site, data, uploaded, expected,
                                                                 path):
    """Never shown inline (a PDF can carry script), never named with another extension."""
    from werkzeug.http import parse_options_header

    from core.attachments import Attachment
    from core.extensions import db

    user = client_for(site, "at-owner")
    content = phone_photo() if data == "photo" else PDF
    response = upload(user, f"/at_plug1/at-a/{path}", path, content, uploaded)
    assert response.status_code == 200, response.text
    attachment = db.session.get(Attachment, int(response.text))
    for url in (f"/attachments/{attachment.id}", f"/attachments/{attachment.id}/{uploaded}"):
        served = user.get(url)
        served.close()
        kind, options = parse_options_header(served.headers["Content-Disposition"])
        assert kind == "attachment"
        assert options["filename"] == expected  # werkzeug decodes filename* into filename
        assert "sandbox" in served.headers["Content-Security-Policy"]
