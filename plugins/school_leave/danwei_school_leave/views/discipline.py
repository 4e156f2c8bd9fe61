"""Discipline under the student handbook (line 27): the handbook's articles as data the
student-affairs office keeps, and the decisions recorded against them.

A decision names the student, the article, the offence, the decision (警告 … 开除学籍), its
date and who decided; it is seen by the staff of the class (``school_leave.view``) and by the
student, never by the class cadres.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from core.api import (
    Unit,
    User,
    arg_int,
    audit,
    can,
    db,
    local_today,
    paginate,
    permission_required,
    require,
    unit_ids_where,
    utcnow,
)

from ..forms import DECISION_LABELS, ArticleForm, DisciplineForm, choices
from ..i18n import lazy_gettext as _l
from ..models import DisciplineRecord, HandbookArticle
from ..parents import school_of
from . import bp

MANAGE = "school_leave.manage_handbook"


def _schools() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids_where(MANAGE)))
                                   .order_by(Unit.depth, Unit.path)))


@bp.route("/handbook", methods=["GET", "POST"])
@permission_required(MANAGE)
def handbook():
    """The articles of the school's student handbook; add one, retire or restore one."""
    schools = _schools()
    wanted = arg_int("unit", args=request.values)
    unit = next((u for u in schools if u.id == wanted), schools[0])
    form = ArticleForm()
    if form.validate_on_submit():
        number = form.number.data.strip()
        article = db.session.scalars(select(HandbookArticle).where(
            HandbookArticle.unit_id == unit.id, HandbookArticle.number == number)).first()
        created = article is None
        if created:
            article = HandbookArticle(unit_id=unit.id, number=number, position=(
                db.session.scalar(select(db.func.count(HandbookArticle.id)).where(
                    HandbookArticle.unit_id == unit.id)) or 0) + 1)
            db.session.add(article)
        article.title, article.text = form.title.data.strip(), (form.text.data or "").strip()
        article.active, article.updated_at = True, utcnow()
        db.session.flush()
        audit("school_leave.article_saved", subject=article, unit=unit,
              summary=f"{number} {article.title}", data={"created": created})
        db.session.commit()
        flash(_l("Article %(number)s was saved.", number=number), "success")
        return redirect(url_for("school_leave.handbook", unit=unit.id))
    articles = db.session.scalars(select(HandbookArticle).where(
        HandbookArticle.unit_id == unit.id).order_by(HandbookArticle.active.desc(),
                                                     HandbookArticle.position)).all()
    return render_template("school_leave/handbook.html", form=form, unit=unit, schools=schools,
                           articles=articles), 200 if not form.errors else 422


@bp.route("/handbook/<int:article_id>/toggle", methods=["POST"])
@permission_required(MANAGE)
def toggle_article(article_id: int):
    """Retire an article no longer in force (decisions under it keep it), or restore it."""
    article = db.session.get(HandbookArticle, article_id)
    if article is None:
        abort(404)
    require(MANAGE, article.unit)
    article.active, article.updated_at = not article.active, utcnow()
    audit("school_leave.article_retired" if not article.active else "school_leave.article_saved",
          subject=article, unit=article.unit, summary=f"{article.number} {article.title}")
    db.session.commit()
    return redirect(url_for("school_leave.handbook", unit=article.unit_id))


@bp.route("/discipline")
@permission_required("school_leave.view")
def discipline():
    """The discipline decisions of the classes one may see, newest first."""
    query = (select(DisciplineRecord)
             .where(DisciplineRecord.unit_id.in_(unit_ids_where("school_leave.view")))
             .options(joinedload(DisciplineRecord.student), joinedload(DisciplineRecord.article)))
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        query = query.where(DisciplineRecord.student.has(
            or_(User.name.contains(q), User.username.contains(q))))
    if request.args.get("decision") in DECISION_LABELS:
        query = query.where(DisciplineRecord.decision == request.args["decision"])
    page = paginate(query.order_by(DisciplineRecord.decided_on.desc(),
                                   DisciplineRecord.id.desc()))
    return render_template("school_leave/discipline.html", page=page,
                           endpoint="school_leave.discipline",
                           may_record=can_record_somewhere())


def can_record_somewhere() -> bool:
    from . import may

    return may("school_leave.discipline")


@bp.route("/students/<int:student_id>/discipline", methods=["GET", "POST"])
@permission_required("school_leave.discipline")
def new_discipline(student_id: int):
    """Record a discipline decision about a student, under an article of the handbook."""
    student = db.session.get(User, student_id)
    if student is None or student.unit is None or not can("school_leave.apply", student.unit,
                                                          student):
        abort(404)
    require("school_leave.discipline", student.unit)
    school = school_of(student.unit)
    articles = db.session.scalars(select(HandbookArticle).where(
        HandbookArticle.unit_id == school.id, HandbookArticle.active.is_(True))
        .order_by(HandbookArticle.position)).all()
    form = DisciplineForm()
    form.article.choices = choices((a.id, f"{a.number} {a.title}") for a in articles)
    if request.method == "GET":
        form.decided_on.data = local_today()
    if form.validate_on_submit():
        record = DisciplineRecord(
            unit_id=student.unit_id, student_id=student.id, article_id=form.article.data,
            offence=form.offence.data.strip(), decision=form.decision.data,
            decided_on=form.decided_on.data, decided_by=form.decided_by.data.strip(),
            note=(form.note.data or "").strip(), recorded_by_id=current_user.id)
        db.session.add(record)
        db.session.flush()
        audit("school_leave.discipline_recorded", subject=record, unit=student.unit,
              summary=f"{student.username}: {record.decision} ({record.decided_on})")
        db.session.commit()
        flash(_l("The decision was recorded."), "success")
        return redirect(url_for("school_leave.student", student_id=student.id))
    return render_template("school_leave/discipline_new.html", form=form, student=student,
                           articles=articles, school=school), 200 if not form.errors else 422


def records_of(student: User) -> list[DisciplineRecord]:
    return list(db.session.scalars(
        select(DisciplineRecord).where(DisciplineRecord.student_id == student.id)
        .options(joinedload(DisciplineRecord.article))
        .order_by(DisciplineRecord.decided_on.desc())))

