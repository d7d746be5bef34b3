"""``pyllm.pipeline("text-generation", model=...)`` — the transformers habit, on a GGUF model.

    >>> gen = pyllm.pipeline("text-generation", model="smollm2")            # doctest: +SKIP
    >>> gen("The capital of Belgium is Brussels. The capital of France is", max_new_tokens=2)  # doctest: +SKIP
    [{'generated_text': 'The capital of Belgium is Brussels. The capital of France is Paris.'}]

Arguments keep their transformers meanings: greedy unless ``do_sample=True``;
``repetition_penalty`` applies to every token of the sequence (prompt included).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

__all__ = ["pipeline", "TextGenerationPipeline"]

TASKS = ("text-generation",)


class TextGenerationPipeline:
    """Callable: ``pipe(text | [texts] | messages | [conversations], **generate_kwargs)``."""

    task = "text-generation"

    def __init__(self, model, **model_kwargs: Any):
        from .model import Model

        self.model = model if isinstance(model, Model) else Model(model, **model_kwargs)

    def __call__(self, text_inputs, max_new_tokens: Optional[int] = 256, do_sample: bool = False,
                 temperature: float = 1.0, top_k: int = 50, top_p: float = 1.0,
                 repetition_penalty: float = 1.0, return_full_text: bool = True,
                 seed: Optional[int] = None, stop: Optional[Union[str, List[str]]] = None,
                 min_p: float = 0.0):
        """Generate for one input or a list of inputs.

        Args:
            text_inputs: a prompt string, a list of prompt strings, a chat (list of
                ``{'role', 'content'}`` dicts, rendered with the model's chat template) or a list
                of chats.
            max_new_tokens: at most this many new tokens (default 256; ``None``: until the
                context is full or the model emits its end token).
            do_sample: False (default): greedy decoding; True: sample with temperature / top_k /
                top_p.
            temperature: sampling temperature (default 1.0; only with do_sample).
            top_k: keep the k most likely tokens (default 50, transformers' default; only with do_sample).
            top_p: nucleus sampling threshold in [0, 1] (default 1.0: off; only with do_sample).
            repetition_penalty: > 1 discourages tokens already in the sequence (prompt included);
                1.0 (default) is off.
            return_full_text: include the prompt in ``generated_text`` (default True). For chats,
                ``generated_text`` is the conversation with the new assistant message appended
                (or only that message when False).
            seed: RNG seed for sampling (None: random).
            stop: optional stop string(s); not returned.
            min_p: min-p filter (default 0.0: off).

        Returns ``[{'generated_text': ...}]`` for one input, a list of such lists for several.
        """
        if isinstance(text_inputs, str) or _is_chat(text_inputs):
            return self._one(text_inputs, max_new_tokens, do_sample, temperature, top_k, top_p,
                             repetition_penalty, return_full_text, seed, stop, min_p)
        return [self._one(x, max_new_tokens, do_sample, temperature, top_k, top_p, repetition_penalty,
                          return_full_text, seed, stop, min_p) for x in text_inputs]

    def _one(self, x, max_new_tokens, do_sample, temperature, top_k, top_p, repetition_penalty,
             return_full_text, seed, stop, min_p) -> List[Dict[str, Any]]:
        m = self.model
        kw = dict(max_tokens=max_new_tokens, temperature=float(temperature) if do_sample else 0.0,
                  top_k=top_k if do_sample else 0, top_p=top_p if do_sample else 1.0,
                  min_p=min_p if do_sample else 0.0, repeat_penalty=repetition_penalty, seed=seed, stop=stop)
        old = m.last_n_tokens_size
        m.last_n_tokens_size = -1  # transformers' repetition_penalty looks at the whole sequence
        try:
            if _is_chat(x):
                r = m.create_chat_completion(list(x), **kw)
                msg = r["choices"][0]["message"]
                answer = {"role": "assistant", "content": msg["content"]}
                return [{"generated_text": (list(x) + [answer]) if return_full_text else [answer]}]
            text = m.generate(x, **kw)
        finally:
            m.last_n_tokens_size = old
        return [{"generated_text": (x + text) if return_full_text else text}]

    def __repr__(self) -> str:
        return f"TextGenerationPipeline(model={self.model!r})"


def _is_chat(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(m, dict) for m in x)


def pipeline(task: str = "text-generation", model: Any = None, **model_kwargs: Any) -> TextGenerationPipeline:
    """A transformers-style pipeline. Only ``"text-generation"`` is supported.

    ``model``: a :class:`pyllm.Model`, a path to a ``.gguf`` file, a known model name, or None for
    the default model. ``model_kwargs`` go to :class:`pyllm.Model` (``n_ctx``, ``n_threads``, ...).
    """
    if task not in TASKS:
        raise ValueError(f"unknown pipeline task {task!r}; pyllm supports: {', '.join(TASKS)}")
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    return TextGenerationPipeline(model, **model_kwargs)
