"""Chat templates: turn a list of messages into the prompt text a chat model was trained on.

    >>> t = pyllm.chat.ChatTemplate.from_format("chatml")
    >>> t.render([{"role": "user", "content": "Hi"}], add_generation_prompt=True)
    '<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\n'

Templates are jinja2 (the language of Hugging Face ``chat_template`` and of GGUF's
``tokenizer.chat_template``), rendered in jinja2's immutable sandbox, so a template from a
downloaded file cannot reach Python internals. The names real templates expect are provided:
``messages``, ``add_generation_prompt``, ``bos_token``, ``eos_token``, ``raise_exception(msg)``
(raises :class:`ChatTemplateError`, a ValueError), ``strftime_now(fmt)`` (the current local time),
``tools`` and a ``tojson`` filter that does not HTML-escape.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["ChatTemplate", "ChatTemplateError", "CHAT_FORMATS", "resolve_chat_template"]


class ChatTemplateError(ValueError):
    """A chat template refused the messages (``raise_exception``) or could not be compiled."""


# Built-in formats (chat_format=...): written for pyllm from each family's documented prompt layout.
# Each entry: (jinja2 template, stop strings).
CHAT_FORMATS: Dict[str, Dict[str, Any]] = {
    "chatml": {
        "template": (
            "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}"
            "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
        ),
        "stop": ["<|im_end|>"],
    },
    "gemma": {
        # Gemma has no system role: a system message is put before the first user message.
        "template": (
            "{{ bos_token }}{% set ns = namespace(system='') %}"
            "{% for m in messages %}{% if m['role'] == 'system' %}{% set ns.system = m['content'] + '\n\n' %}"
            "{% else %}{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
            "{{ '<start_of_turn>' + role + '\n' + ns.system + m['content'] | trim + '<end_of_turn>\n' }}"
            "{% set ns.system = '' %}{% endif %}{% endfor %}"
            "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
        ),
        "stop": ["<end_of_turn>"],
    },
    "llama-3": {
        "template": (
            "{{ bos_token }}{% for m in messages %}"
            "{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\n\n' + m['content'] | trim + '<|eot_id|>' }}"
            "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
            "{% endif %}"
        ),
        "stop": ["<|eot_id|>"],
    },
    "mistral-instruct": {
        "template": (
            "{{ bos_token }}{% set ns = namespace(system='') %}{% for m in messages %}"
            "{% if m['role'] == 'system' %}{% set ns.system = m['content'] + '\n\n' %}"
            "{% elif m['role'] == 'user' %}{{ '[INST] ' + ns.system + m['content'] + ' [/INST]' }}{% set ns.system = '' %}"
            "{% elif m['role'] == 'assistant' %}{{ m['content'] + eos_token }}"
            "{% else %}{{ raise_exception('mistral-instruct supports the roles system, user and assistant, not ' + m['role']) }}"
            "{% endif %}{% endfor %}"
        ),
        "stop": ["</s>"],
    },
    "phi-3": {
        "template": (
            "{% for m in messages %}{{ '<|' + m['role'] + '|>\n' + m['content'] + '<|end|>\n' }}{% endfor %}"
            "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
        ),
        "stop": ["<|end|>"],
    },
}
CHAT_FORMATS["llama3"] = CHAT_FORMATS["llama-3"]
CHAT_FORMATS["gemma3"] = CHAT_FORMATS["gemma"]


def _raise_exception(message: str):
    raise ChatTemplateError(message)


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)


def _tojson(value: Any, indent: Optional[int] = None, ensure_ascii: bool = False, **_: Any) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)


class ChatTemplate:
    """A compiled chat template plus the stop strings that end an assistant turn."""

    def __init__(self, source: str, stop: Sequence[str] = (), name: str = "custom"):
        try:
            import jinja2
            from jinja2.sandbox import ImmutableSandboxedEnvironment
        except ImportError as e:  # pragma: no cover - jinja2 is a dependency
            raise ImportError("chat templates need jinja2 (pip install jinja2)") from e
        if not isinstance(source, str) or not source.strip():
            raise ValueError("a chat template must be a non-empty jinja2 string")
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.filters["tojson"] = _tojson
        env.globals["raise_exception"] = _raise_exception
        env.globals["strftime_now"] = _strftime_now
        try:
            self._template = env.from_string(source)
        except jinja2.TemplateError as e:
            raise ChatTemplateError(f"the {name} chat template does not compile: {e}") from e
        self.source = source
        self.name = name
        self._stop = list(stop)

    @classmethod
    def from_format(cls, name: str) -> "ChatTemplate":
        """A built-in format by name (``chatml``, ``gemma``, ``llama-3``, ``mistral-instruct``, ``phi-3``)."""
        key = str(name).lower()
        if key not in CHAT_FORMATS:
            known = ", ".join(sorted(CHAT_FORMATS))
            raise ValueError(f"unknown chat format {name!r}; known formats: {known} "
                             f"(or pass chat_template= with a jinja2 template)")
        f = CHAT_FORMATS[key]
        return cls(f["template"], f["stop"], name=key)

    def render(self, messages: List[Dict[str, Any]], add_generation_prompt: bool = True,
               bos_token: str = "", eos_token: str = "", **extra: Any) -> str:
        """The prompt text for ``messages`` (checked: a non-empty list of dicts with a role)."""
        _check_messages(messages)
        try:
            return self._template.render(messages=messages, add_generation_prompt=add_generation_prompt,
                                         bos_token=bos_token, eos_token=eos_token, **extra)
        except ChatTemplateError:
            raise
        except Exception as e:  # jinja2 errors, sandbox violations, type errors inside templates
            raise ChatTemplateError(f"the {self.name} chat template failed: {type(e).__name__}: {e}") from e

    def stop_strings(self, model=None) -> List[str]:
        return list(self._stop)

    def stop_token_ids(self, model) -> List[int]:
        """Ids of the stop strings that are single tokens of the model's vocabulary."""
        ids = []
        vocab = model.tokenizer.get_vocab() if model is not None else {}
        for s in self._stop:
            i = vocab.get(s)
            if i is not None:
                ids.append(i)
        return ids

    def needs_bos(self, model, prompt: str) -> bool:
        """Add BOS when the vocabulary asks for it and the rendered text does not already start with it."""
        if not model.add_bos or model.bos_id is None:
            return False
        bos_text = model.tokenizer.convert_ids_to_tokens(model.bos_id)
        return not (bos_text and prompt.startswith(bos_text))

    def __repr__(self) -> str:
        return f"ChatTemplate(name={self.name!r})"


class _ModelTemplate(ChatTemplate):
    """A template bound to a model: bos_token / eos_token are the model's, and its EOS text stops."""

    def __init__(self, source: str, model, stop: Sequence[str] = (), name: str = "custom"):
        tok = model.tokenizer
        self.bos_text = tok.convert_ids_to_tokens(tok.bos_token_id) if tok.bos_token_id is not None else ""
        self.eos_text = tok.convert_ids_to_tokens(tok.eos_token_id) if tok.eos_token_id is not None else ""
        stops = list(stop) or ([self.eos_text] if self.eos_text else [])
        super().__init__(source, stops, name=name)

    def render(self, messages, add_generation_prompt=True, bos_token=None, eos_token=None, **extra):
        return super().render(messages, add_generation_prompt,
                              bos_token=self.bos_text if bos_token is None else bos_token,
                              eos_token=self.eos_text if eos_token is None else eos_token, **extra)


def _check_messages(messages: Any) -> None:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise TypeError("messages must be a list of {'role': ..., 'content': ...} dicts")
    if len(messages) == 0:
        raise ValueError("messages is empty: a chat completion needs at least one message")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise TypeError(f"message {i} must be a dict with 'role' and 'content', got {type(m).__name__}")
        if "role" not in m:
            raise ValueError(f"message {i} has no 'role'")


def resolve_chat_template(model, chat_format: Optional[str] = None, chat_template: Optional[str] = None) -> ChatTemplate:
    """The template for ``model``: ``chat_template`` (jinja2 source) > ``chat_format`` (built-in name)
    > the model's own (``Model(chat_format=...)`` attribute, then GGUF ``tokenizer.chat_template``)."""
    if chat_template is not None:
        return _ModelTemplate(chat_template, model, name="chat_template")
    fmt = chat_format if chat_format is not None else getattr(model, "chat_format", None)
    if fmt is not None:
        base = ChatTemplate.from_format(fmt)
        return _ModelTemplate(base.source, model, stop=base.stop_strings(), name=base.name)
    src = model.metadata.get("tokenizer.chat_template")
    if not src:
        known = ", ".join(sorted(CHAT_FORMATS))
        raise ValueError(f"{model.path.name} has no chat template (no tokenizer.chat_template in its GGUF metadata); "
                         f"pass chat_format= (one of: {known}) or chat_template= (a jinja2 template)")
    return _ModelTemplate(str(src), model, name="tokenizer.chat_template")
