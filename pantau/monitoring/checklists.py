"""Check a report's answers against its checklist (the questions come from the instruction)."""

from django.utils.translation import gettext as _

from pantau.lib.errors import Invalid

TRUE = {True, "true", "ya", "yes", "1"}  # (1 == True)
FALSE = {False, "false", "tidak", "no", "0"}  # (0 == False)


def clean_answers(questions: list[dict], answers: dict | None, *, partial: bool = False) -> dict:
    """Answers keyed by question code, converted to their type; Invalid naming each bad field.
    With `partial` a required question may still be unanswered (a report sent by message,
    whose questions follow one by one: see `missing_required`)."""
    answers = answers or {}
    if not isinstance(answers, dict):
        raise Invalid(
            _("Answers must be a mapping of question codes to values."),
            fields={"answers": _("must be an object")},
        )
    by_code = {q["code"]: q for q in questions}
    errors: dict[str, str] = {}
    clean: dict = {}
    for code in answers:
        if code not in by_code:
            errors[f"answers.{code}"] = _("not a question of this checklist")
    for q in questions:
        code, value = q["code"], answers.get(q["code"])
        if value is None or value == "":
            if q.get("required") and not partial:
                errors[f"answers.{code}"] = _("this question must be answered")
            continue
        kind = q["type"]
        if kind == "yes_no":
            if value in TRUE or (isinstance(value, str) and value.lower() in TRUE):
                clean[code] = True
            elif value in FALSE or (isinstance(value, str) and value.lower() in FALSE):
                clean[code] = False
            else:
                errors[f"answers.{code}"] = _("answer yes or no")
        elif kind == "choice":
            if value not in q["choices"]:
                errors[f"answers.{code}"] = _("choose one of: %(choices)s") % {
                    "choices": ", ".join(q["choices"])
                }
            else:
                clean[code] = value
        elif kind == "number":
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[f"answers.{code}"] = _("must be a number")
                continue
            if number != number or number < 0 or number > 1e9:  # NaN, negative, absurd
                errors[f"answers.{code}"] = _("must be a number from 0")
                continue
            clean[code] = int(number) if number.is_integer() else number
        else:
            text = str(value).strip()
            if len(text) > 2000:
                errors[f"answers.{code}"] = _("at most 2000 characters")
            else:
                clean[code] = text
    if errors:
        raise Invalid(_("Some checklist answers are not valid."), fields=errors)
    return clean


def missing_required(questions: list[dict], answers: dict) -> list[dict]:
    """The required questions not answered yet, in the checklist's order."""
    return [q for q in questions if q.get("required") and answers.get(q["code"]) in (None, "")]
