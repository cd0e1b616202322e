"""Plain English to a task intent: the offline model's understanding, a few ordered regular expressions.

Each pattern family is tried in order (add, update, complete, delete, list, small talk); the first that
matches wins. Filler ("please", "could you", "thanks") is peeled off first, and a task is named either by
number ("task 3", "#3", "number three") or by (part of) its title, quoted or not.
"""

import re
from dataclasses import dataclass
from typing import Literal

Action = Literal["add", "update", "complete", "delete", "check", "list", "greet", "help", "thanks", "unknown"]
ListStatus = Literal["all", "pending", "completed"]

_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUMBER = r"(?:\d+|" + "|".join(_NUMBER_WORDS) + r")"

_LEADING_FILLER = re.compile(
    r"^(?:hey|hi|hello|ok|okay|so|um|uh|alright|well|oh)\b[,!.]?\s*"
    r"|^(?:please|pls|plz|kindly|just|now|also|and|then)\b[,]?\s*"
    # the longer wrappers first, or "would you" would leave "mind adding ..." behind
    r"|^(?:would\s+you\s+mind|would\s+you\s+be\s+so\s+kind\s+as\s+to|(?:i\s+was\s+wondering\s+)?if\s+you\s+could"
    r"|i'?d\s+like\s+(?:you\s+)?to|i\s+would\s+like\s+(?:you\s+)?to|i\s+want\s+(?:you\s+)?to|go\s+ahead\s+and"
    r"|help\s+me)\s+"
    r"|^(?:could|can|would|will)\s+(?:you|u)\s+(?:please\s+|kindly\s+)?",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:[\s,]+(?:please|pls|plz|thanks|thank\s+you|thx|for\s+me|now|right\s+now|asap))+[\s.!?]*$"
    r"|[\s.!?]+$",
    re.IGNORECASE,
)
_OPENING_QUOTES = "\"'`\u201c\u2018"
_CLOSING_QUOTES = "\"'`\u201d\u2019"
_QUOTES = _OPENING_QUOTES + _CLOSING_QUOTES

_LIST_SUFFIX = (
    r"(?:\s+(?:to|on|in|onto|into)\s+(?:my\s+|the\s+)?(?:todo\s+|to-do\s+|to\s+do\s+|task\s+)?"
    r"(?:list|tasks|todos))?"
)
_ADD_PATTERNS = [
    re.compile(
        r"^(?:add|adding|create|creating|make|put|insert|new|schedule|save|record|jot\s+down|write\s+down)\b\s*"
        r"(?:a\s+|an\s+|another\s+|one\s+more\s+)?(?:new\s+)?(?:(?:task|todo|to-do|item|reminder|entry)s?\b)?\s*"
        r"(?:to\s+|for\s+|called\s+|named\s+|titled\s+|saying\s+|that\s+says\s+|:\s*|-\s*)?"
        r"(?P<title>.*?)" + _LIST_SUFFIX + r"$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:remind\s+me\s+to|(?:i\s+)?(?:need|have|want|got)\s+to\s+remember\s+to|remember\s+to"
        r"|don'?t\s+let\s+me\s+forget\s+to|i\s+must\s+not\s+forget\s+to|i\s+(?:must|should|need\s+to|have\s+to"
        r"|gotta|'ve\s+got\s+to|have\s+got\s+to)|note\s+to\s+self:?|todo:|to-do:)\s+(?P<title>.+?)"
        + _LIST_SUFFIX
        + r"$",
        re.IGNORECASE,
    ),
]
_DESCRIPTION = re.compile(
    r"^(?P<title>.+?)[\s,;:-]+(?:with\s+(?:the\s+)?|and\s+)?(?:description|details|notes?)\s*[:=-]?\s*(?P<description>.+)$",
    re.IGNORECASE,
)

_UPDATE_DESCRIPTION = re.compile(
    r"^(?:change|update|set|edit|make)\s+(?:the\s+)?(?:description|details|notes?)\s+(?:of|for|on)\s+"
    r"(?P<target>.+?)\s+(?:to|into|as)\s+(?P<new>.+)$",
    re.IGNORECASE,
)
_UPDATE_TITLE = re.compile(
    r"^(?:change|rename|update|edit|modify|set|retitle|make)\s+(?:the\s+)?(?:(?:title|name)\s+(?:of|for)\s+)?"
    r"(?P<target>.+?)\s+(?:to|into|as|so\s+it\s+says|to\s+say|to\s+read)\s+(?P<new>.+)$",
    re.IGNORECASE,
)
_DONE_WORDS = r"(?:complete|completed|done|finished|checked(?:\s+off)?)"
_COMPLETE_PATTERNS = [
    re.compile(
        r"^(?:mark|set|flag|tick|check)\s+(?P<target>.+?)\s+(?:as\s+)?" + _DONE_WORDS + "$", re.IGNORECASE
    ),
    re.compile(
        r"^(?:complete|finish|check\s+off|tick\s+off|cross\s+off|close)\s+(?P<target>.+?)(?:\s+off)?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:i\s*)?(?:'ve\s+|have\s+|just\s+|'m\s+|am\s+|already\s+)*"
        r"(?:finished\s+with|done\s+with|through\s+with|finished|completed|did)\s+(?P<target>.+)$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?P<target>.+?)\s+(?:is\s+|'s\s+)?(?:now\s+|all\s+)?" + _DONE_WORDS + "$", re.IGNORECASE),
]
# "did I finish the report?", "is task 3 done?": a question about one task, answered after listing them.
_CHECK_PATTERNS = [
    re.compile(
        r"^(?:did|have|has)\s+i\s+(?:already\s+)?(?:finish|finished|complete|completed|do|done|did)\s+"
        r"(?P<target>.+?)(?:\s+(?:yet|already))?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^is\s+(?P<target>.+?)\s+(?:already\s+)?" + _DONE_WORDS + r"(?:\s+(?:yet|already))?$", re.IGNORECASE
    ),
]
# Words that ask about tasks in general ("what is done?") rather than name one.
_NOT_A_TARGET = re.compile(
    r"^(?:what|what's|whats|which|anything|everything|something|show|list|display|view|tell|give|let\s+me)\b"
    r"|^(?:all|any|it|that|them|(?:my\s+|the\s+|all\s+)?tasks)$",
    re.IGNORECASE,
)
_DELETE = re.compile(
    r"^(?:delete|remove|cancel|drop|erase|trash|scrap|discard|get\s+rid\s+of|forget(?:\s+about)?)\s+"
    r"(?P<target>.+?)(?:\s+(?:from|off)\s+(?:my\s+|the\s+)?(?:todo\s+|to-do\s+|task\s+)?(?:list|tasks|todos))?$",
    re.IGNORECASE,
)

_PENDING_WORDS = re.compile(
    r"\b(?:pending|incomplete|unfinished|open|remaining|remains?|left|outstanding|next|else"
    r"|not\s+(?:yet\s+)?(?:done|completed|finished)"
    r"|(?:have|has|did|do|are|is|was|were)n'?t\s+(?:i\s+)?(?:yet\s+)?(?:done|completed|finished)|have\s+not|not\s+yet|yet\s+to"
    r"|to\s+do|todo|still)\b",
    re.IGNORECASE,
)
_COMPLETED_WORDS = re.compile(
    r"\b(?:completed?|done|finish(?:ed)?|accomplished|did|ticked(?:\s+off)?|checked\s+off)\b", re.IGNORECASE
)
_LIST_WORDS = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|list|pending|completed?|done|finish(?:ed)?|remaining|remains?|left|outstanding"
    r"|open|incomplete|agenda|to\s+do|do\s+next|on\s+my\s+plate|accomplished|did|ticked\s+off|have)\b",
    re.IGNORECASE,
)
# Short requests that are nothing but a listing: "tasks", "my list", "show all", "list everything".
_BARE_LIST = re.compile(
    r"^(?:(?:show|list|display|view)(?:\s+(?:me\s+)?(?:all|everything|them|it))?|(?:my\s+|all\s+)?(?:tasks|todos|list))$",
    re.IGNORECASE,
)
_LIST_VERBS = re.compile(
    r"^(?:show|list|display|view|see|get|give|tell|what|what's|whats|which|do\s+i|have\s+i|how\s+many|any|anything"
    r"|is\s+there|check|let\s+me\s+see|my|all|pending|completed|done|finished|open|remaining|incomplete"
    r"|unfinished)\b",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|yo|good\s+(?:morning|afternoon|evening)|greetings)\b", re.I
)
_HELP = re.compile(r"\b(?:help|what\s+can\s+you\s+do|how\s+does\s+this\s+work|commands)\b", re.IGNORECASE)
_THANKS = re.compile(r"^(?:thanks|thank\s+you|thx|cheers|great|awesome|perfect|cool|nice)\b", re.IGNORECASE)

_TARGET_ID = re.compile(
    r"^(?:the\s+)?(?:task|todo|to-do|item|entry|number|no\.?|num|#)?\s*(?:number|no\.?|num)?\s*#?\s*(?P<n>"
    + _NUMBER
    + r")(?:st|nd|rd|th)?(?:\s+(?:task|todo|item|one))?$",
    re.IGNORECASE,
)
_TARGET_FRAMING = re.compile(
    r"^(?:the\s+|my\s+|that\s+|this\s+)?(?:task|todo|to-do|item|one|entry)?\s*(?:called|named|titled|about|for|to)?\s*"
    r"(?P<title>.+?)\s*(?:task|todo|to-do|item|one|entry)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Target:
    """A task named by id, or by words of its title."""

    task_id: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Intent:
    action: Action
    title: str | None = None  # the new title (add, update)
    description: str | None = None  # the new description (add, update)
    status: ListStatus = "all"  # the list filter
    target: Target | None = None  # the task acted on (complete, delete, update)


def parse(text: str) -> Intent:
    """The intent of one user message."""
    cleaned = fix_typos(_strip_filler(text))
    for parser in (_parse_check, _parse_add, _parse_update, _parse_complete, _parse_delete):
        intent = parser(cleaned)
        if intent is not None:
            return intent
    if _is_list_request(cleaned, question=text.rstrip().endswith("?")):
        return Intent("list", status=_list_status(cleaned))
    if _HELP.search(cleaned):
        return Intent("help")
    if _GREETING.match(text.strip()):  # before filler stripping, which drops greetings
        return Intent("greet")
    if _THANKS.search(cleaned):
        return Intent("thanks")
    return Intent("unknown")


# Command words people mistype ("compelte", "delet", "shwo"): the first word is matched against these, and
# "task" anywhere, allowing one slip. Titles are never corrected.
_COMMAND_WORDS = (
    "add", "create", "complete", "completed", "finish", "finished", "delete", "remove", "update", "change",
    "rename", "mark", "show", "list", "display", "cancel", "edit", "modify",
)  # fmt: skip
_TASK_WORDS = ("task", "tasks")


def fix_typos(text: str) -> str:
    words = text.split(" ")
    if words and words[0]:
        words[0] = _closest(words[0], _COMMAND_WORDS)
    return " ".join([words[0], *(_closest(word, _TASK_WORDS) for word in words[1:])] if words else words)


def _closest(word: str, vocabulary: tuple[str, ...]) -> str:
    lowered = word.lower()
    if len(lowered) < 4 or lowered in vocabulary or not lowered.isalpha():
        return word
    best = min(vocabulary, key=lambda known: _distance(lowered, known))
    if _distance(lowered, best) != 1:
        return word
    # Short words are easily other words ("mask", "last"): for them only swapped letters count as a slip.
    return best if len(lowered) > 4 or sorted(lowered) == sorted(best) else word


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    rows = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def _strip_filler(text: str) -> str:
    cleaned = " ".join(text.replace("\u2019", "'").split())
    previous = None
    while cleaned != previous:
        previous = cleaned
        cleaned = _TRAILING_FILLER.sub("", _LEADING_FILLER.sub("", cleaned)).strip()
    return cleaned


def _unquote(text: str) -> str:
    text = text.strip().strip(_QUOTES).strip()
    return text.rstrip(".!?").strip().strip(_QUOTES).strip()


def _as_title(text: str) -> str:
    text = _unquote(text)
    return text[:1].upper() + text[1:]


def _parse_add(text: str) -> Intent | None:
    for pattern in _ADD_PATTERNS:
        match = pattern.match(text)
        if match:
            title, description = match["title"], None
            with_description = _DESCRIPTION.match(title)
            if with_description:
                title, description = with_description["title"], _unquote(with_description["description"])
            return Intent("add", title=_as_title(title), description=description or None)
    return None


def _parse_update(text: str) -> Intent | None:
    match = _UPDATE_DESCRIPTION.match(text)
    if match:
        return Intent("update", target=_parse_target(match["target"]), description=_unquote(match["new"]))
    match = _UPDATE_TITLE.match(text)
    if match is None:
        return None
    target = _parse_target(match["target"])
    if re.fullmatch(_DONE_WORDS, _unquote(match["new"]), re.IGNORECASE):  # "set task 2 to done"
        return Intent("complete", target=target)
    return Intent("update", target=target, title=_as_title(match["new"]))


def _parse_complete(text: str) -> Intent | None:
    return _parse_about_one_task("complete", _COMPLETE_PATTERNS, text)


def _parse_check(text: str) -> Intent | None:
    return _parse_about_one_task("check", _CHECK_PATTERNS, text)


def _parse_about_one_task(action: Action, patterns: list[re.Pattern[str]], text: str) -> Intent | None:
    for pattern in patterns:
        match = pattern.match(text)
        if match and not _NOT_A_TARGET.match(_unquote(match["target"])):
            return Intent(action, target=_parse_target(match["target"]))
    return None


def _parse_delete(text: str) -> Intent | None:
    match = _DELETE.match(text)
    return Intent("delete", target=_parse_target(match["target"])) if match else None


def _is_list_request(text: str, question: bool) -> bool:
    if _BARE_LIST.match(text):
        return True
    return bool(_LIST_WORDS.search(text) and (question or _LIST_VERBS.search(text)))


def _list_status(text: str) -> ListStatus:
    if _PENDING_WORDS.search(text):
        return "pending"
    if _COMPLETED_WORDS.search(text):
        return "completed"
    return "all"


def _parse_target(text: str) -> Target:
    text = _unquote(text)
    by_id = _TARGET_ID.match(text)
    if by_id:
        number = by_id["n"].lower()
        return Target(task_id=int(number) if number.isdigit() else _NUMBER_WORDS[number])
    quoted = re.search(f"[{_OPENING_QUOTES}](?P<title>[^{_CLOSING_QUOTES}]+)[{_CLOSING_QUOTES}]", text)
    if quoted:
        return Target(title=quoted["title"].strip())
    framed = _TARGET_FRAMING.match(text)
    title = framed["title"] if framed else text
    return Target(title=_unquote(title) or text)
