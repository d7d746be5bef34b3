"""Chat templates: built-in formats, the sandbox, the helpers real templates use."""

import pytest

from pyllm.chat import CHAT_FORMATS, ChatTemplate, ChatTemplateError

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]


def test_chatml_layout():
    t = ChatTemplate.from_format("chatml")
    assert t.render(MSGS[1:2]) == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    assert t.render(MSGS[1:2], add_generation_prompt=False) == "<|im_start|>user\nHi<|im_end|>\n"
    assert t.stop_strings() == ["<|im_end|>"]


def test_gemma_layout_folds_system_into_first_user_turn():
    t = ChatTemplate.from_format("gemma")
    out = t.render(MSGS, bos_token="<bos>")
    assert out == ("<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
                   "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n")


def test_llama3_and_mistral_layouts():
    out = ChatTemplate.from_format("llama-3").render(MSGS[1:2], bos_token="<|begin_of_text|>")
    assert out == ("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                   "<|start_header_id|>assistant<|end_header_id|>\n\n")
    out = ChatTemplate.from_format("mistral-instruct").render(MSGS, bos_token="<s>", eos_token="</s>")
    assert out == "<s>[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST] Bye [/INST]"


def test_helpers_raise_exception_strftime_tojson():
    t = ChatTemplate("{% if messages[0]['role'] != 'user' %}{{ raise_exception('first must be user') }}{% endif %}ok")
    with pytest.raises(ChatTemplateError, match="first must be user"):
        t.render(MSGS)
    assert t.render(MSGS[1:]) == "ok"
    import datetime

    t = ChatTemplate("{{ strftime_now('%Y') }} {{ messages | tojson }}")
    out = t.render([{"role": "user", "content": "é<"}])
    assert out.startswith(str(datetime.datetime.now().year))
    assert '"content": "é<"' in out  # not HTML-escaped, not ASCII-escaped


def test_sandbox_blocks_python_internals():
    t = ChatTemplate("{{ messages.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ChatTemplateError):
        t.render(MSGS)
    t = ChatTemplate("{% set x = messages.append(1) %}")  # immutable sandbox: no mutation
    with pytest.raises(ChatTemplateError):
        t.render(MSGS)


def test_errors():
    with pytest.raises(ValueError, match="unknown chat format 'nope'"):
        ChatTemplate.from_format("nope")
    with pytest.raises(ValueError, match="empty"):
        ChatTemplate.from_format("chatml").render([])
    with pytest.raises(ChatTemplateError, match="does not compile"):
        ChatTemplate("{% for %}")
    with pytest.raises(TypeError):
        ChatTemplate.from_format("chatml").render("hello")
    assert set(CHAT_FORMATS) >= {"chatml", "gemma", "llama-3", "mistral-instruct", "phi-3"}
