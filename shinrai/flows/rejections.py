"""The parser's reasons for refusing a file, in the user's language (the parser itself is Django-free)."""

from django.utils.translation import gettext_lazy as _

from .bpmn import BpmnRejected

MESSAGES = {
    "too_large": _("The file is larger than %(limit)s MB."),
    "too_many_elements": _("The file has more than %(limit)s XML elements."),
    "too_deep": _("The XML is nested more than %(limit)s levels deep."),
    "forbidden_xml": _(
        "The file uses a DTD, entities or external references. Shinrai does not accept them, for safety."
    ),
    "malformed": _("The file is not well-formed XML (line %(line)s, column %(column)s)."),
    "not_bpmn": _("The file is not a BPMN 2.0 model: its root element is not BPMN 2.0 definitions."),
    "no_diagram": _("The file has no diagram (BPMN diagram interchange) to draw."),
    "bad_number": _("The diagram has an invalid coordinate or size (%(value)s)."),
    "bad_id": _("An element id is longer than 255 characters, contains a “/” or is a dot (%(value)s)."),
    "empty": _("The file is empty."),
}


def message_for(error: BpmnRejected) -> str:
    """One sentence saying why the file was refused, and that nothing was stored."""
    reason = MESSAGES[error.code] % error.params
    return _("%(reason)s Nothing was stored.") % {"reason": reason}
