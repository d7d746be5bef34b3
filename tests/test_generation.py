"""Generation API on a synthetic model whose tokens are controlled (tests/chain_model.py).

Oracles: the chain table (what greedy must produce), numpy log-softmax of the session's own logits
(logprobs), llama-cpp-python's documented dict schema (llama_cpp/llama_types.py) for the shapes.
"""

import math

import numpy as np
import pytest

import pyllm
import chain_model as cm

A, Q, R, E = cm.ids("A"), cm.ids("Q"), cm.ids("R"), cm.ids("E")
CYCLE = " the end is near. XYZ"


@pytest.fixture(scope="module")
def chain_path(tmp_path_factory):
    return cm.write_chain_model(tmp_path_factory.mktemp("chain") / "chain.gguf", chat_template=True)


@pytest.fixture(scope="module")
def soft_path(tmp_path_factory):
    return cm.write_chain_model(tmp_path_factory.mktemp("soft") / "soft.gguf", soft=True, seed=3)


@pytest.fixture(scope="module")
def m(chain_path):
    return pyllm.Model(chain_path, n_ctx=64, n_threads=1)


def expected(n_tokens):
    """Greedy text of the A-cycle after n tokens (token texts of the chain)."""
    toks = [" the", " end", " is", " ne", "ar", ".", " X", "Y", "Z"]
    return "".join(toks[i % len(toks)] for i in range(n_tokens))


# ---- greedy, end of generation, UTF-8 --------------------------------------------------------
def test_greedy_follows_the_table(m):
    assert m.generate(A, max_tokens=12, temperature=0) == expected(12)
    assert m.last_timings["n_generated"] == 12


def test_eos_and_eog_end_generation(m):
    out = m(Q, max_tokens=10, temperature=0)
    assert out["choices"][0]["text"] == " bye"
    assert out["choices"][0]["finish_reason"] == "stop"
    assert out["usage"]["completion_tokens"] == 1
    out = m(R, max_tokens=10, temperature=0)  # <|im_end|> is an end-of-generation token
    assert out["choices"][0]["text"] == " ok"
    assert out["choices"][0]["finish_reason"] == "stop"


def test_length_finish_reason(m):
    out = m(A, max_tokens=3, temperature=0)
    assert out["choices"][0]["finish_reason"] == "length"
    assert out["usage"] == {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}


def test_multibyte_character_split_over_tokens(m):
    assert m.generate(E, max_tokens=10, temperature=0) == "é!"
    pieces = list(m.generate(E, max_tokens=10, temperature=0, stream=True))
    assert "".join(pieces) == "é!" and all("\ufffd" not in p for p in pieces)


def test_max_tokens_none_runs_to_the_context_end(m):
    out = m(A, max_tokens=None, temperature=0)
    assert out["usage"]["total_tokens"] == m.n_ctx
    assert out["choices"][0]["finish_reason"] == "length"
    assert out["choices"][0]["text"] == expected(m.n_ctx - 1)


# ---- stop strings --------------------------------------------------------------------------
STOP_CASES = [
    (["near."], " the end is "),                 # spans " ne" "ar" "."
    (["d is n"], " the en"),                      # spans " end" " is" " ne"
    (["XYZ", "is"], " the end "),                 # the earliest match wins
    (["near!"], expected(20)),                   # a partial match that never completes is released
    ([" the"], ""),                               # the very first token
    ("Z the", " the end is near. XY"),            # a single string, across a cycle boundary
]


@pytest.mark.parametrize("stop,text", STOP_CASES)
def test_stop_strings_non_streaming(m, stop, text):
    out = m(A, max_tokens=20, temperature=0, stop=stop)
    ch = out["choices"][0]
    assert ch["text"] == text
    assert ch["finish_reason"] == ("length" if stop == ["near!"] else "stop")


@pytest.mark.parametrize("stop,text", STOP_CASES)
def test_stop_strings_streaming_never_leak(m, stop, text):
    pieces = list(m.generate(A, max_tokens=20, temperature=0, stop=stop, stream=True))
    assert "".join(pieces) == text
    stops = [stop] if isinstance(stop, str) else stop
    so_far = ""
    for p in pieces:  # no prefix of the stream ever contains a stop string
        so_far += p
        assert not any(s in so_far for s in stops)
    chunks = list(m(A, max_tokens=20, temperature=0, stop=stop, stream=True))
    assert "".join(c["choices"][0]["text"] for c in chunks) == text
    assert chunks[-1]["choices"][0]["finish_reason"] == ("length" if stop == ["near!"] else "stop")


def test_streaming_holds_back_a_possible_stop_then_releases(m):
    # " ne" could start "near!"; it is held until "." shows the match failed.
    pieces = list(m.generate(A, max_tokens=6, temperature=0, stop=["near!"], stream=True))
    assert pieces[:3] == [" the", " end", " is"]
    assert "".join(pieces) == expected(6)
    assert " ne" not in pieces  # held back, released together with what followed


# ---- streaming == non-streaming, determinism -----------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stream_concatenation_equals_non_streaming(soft_path, seed):
    mm = pyllm.Model(soft_path, n_ctx=64, n_threads=1)
    kw = dict(max_tokens=40, temperature=1.5, top_k=0, top_p=1.0, min_p=0.0, seed=seed, stop=["near", "XZ"])
    text = mm.generate(A, **kw)
    assert "".join(mm.generate(A, stream=True, **kw)) == text
    chunks = list(mm(A, stream=True, **kw))
    assert "".join(c["choices"][0]["text"] for c in chunks) == text == mm(A, **kw)["choices"][0]["text"]


def test_same_seed_same_text_on_any_thread_count(soft_path):
    kw = dict(max_tokens=40, temperature=2.0, top_k=0, top_p=1.0, min_p=0.0)
    m1 = pyllm.Model(soft_path, n_ctx=64, n_threads=1)
    m2 = pyllm.Model(soft_path, n_ctx=64, n_threads=2)
    texts = [m1.generate(A, seed=s, **kw) for s in range(4)]
    assert texts == [m2.generate(A, seed=s, **kw) for s in range(4)]
    assert len(set(texts)) > 1  # the seed matters: this really samples
    assert texts[0] == m1.generate(A, seed=0, **kw)  # and repeats


def test_model_seed_is_the_default_per_call_seed(soft_path):
    kw = dict(max_tokens=30, temperature=2.0, top_k=0, top_p=1.0, min_p=0.0)
    mm = pyllm.Model(soft_path, n_ctx=64, n_threads=1, seed=7)
    assert mm.generate(A, **kw) == mm.generate(A, **kw) == mm.generate(A, seed=7, **kw)


def test_prefix_reuse_does_not_change_results(m):
    p1 = A + cm.ids("\u2581the", "\u2581end")
    first = m.generate(p1, max_tokens=8, temperature=0)
    again = m.generate(p1 + cm.ids("\u2581is"), max_tokens=8, temperature=0)  # reuses p1's cache
    assert m.last_timings["n_prompt_reused"] == 3
    assert first == expected(10)[len(" the end"):]
    assert again == expected(11)[len(" the end is"):]


# ---- logprobs and echo -----------------------------------------------------------------------
def log_softmax(x):
    x = np.asarray(x, np.float64)
    return x - (x.max() + np.log(np.exp(x - x.max()).sum()))


def test_logprobs_match_numpy_log_softmax(m):
    out = m(A, max_tokens=5, temperature=0, logprobs=3)
    lp = out["choices"][0]["logprobs"]
    assert set(lp) == {"tokens", "text_offset", "token_logprobs", "top_logprobs"}
    assert lp["tokens"] == [" the", " end", " is", " ne", "ar"]
    assert lp["text_offset"] == [1, 5, 9, 12, 15]  # len(prompt text 'A') + offsets
    s = m.session()
    seq = A + cm.ids("\u2581the", "\u2581end", "\u2581is", "\u2581ne", "ar")
    logits = s.eval(seq[:-1], all_logits=True)
    for k in range(5):
        ref = log_softmax(logits[k])
        assert lp["token_logprobs"][k] == pytest.approx(ref[seq[k + 1]], abs=1e-4)
        top = lp["top_logprobs"][k]
        best = np.argsort(-ref)[:3]
        for i in best:
            piece = m.tokenizer.token_to_piece(int(i)).decode("utf-8", "ignore")
            assert top[piece] == pytest.approx(ref[i], abs=1e-4)


def test_echo_with_logprobs(m):
    prompt = A + cm.ids("\u2581the")
    out = m(prompt, max_tokens=2, temperature=0, echo=True, logprobs=1)
    ch = out["choices"][0]
    assert ch["text"] == "A the end is"
    lp = ch["logprobs"]
    assert lp["tokens"] == ["A", " the", " end", " is"]
    assert lp["text_offset"] == [0, 1, 5, 9]
    assert lp["token_logprobs"][0] is None and lp["top_logprobs"][0] is None
    s = m.session()
    ref = log_softmax(s.eval(A))
    assert lp["token_logprobs"][1] == pytest.approx(ref[cm.ID["\u2581the"]], abs=1e-4)


# ---- dict shapes, key by key (llama_cpp/llama_types.py) --------------------------------------
def test_completion_shape(m):
    out = m(A, max_tokens=2, temperature=0, model="tiny")
    assert list(out) == ["id", "object", "created", "model", "choices", "usage"]
    assert out["id"].startswith("cmpl-") and out["object"] == "text_completion"
    assert isinstance(out["created"], int) and out["model"] == "tiny"
    assert len(out["choices"]) == 1
    assert list(out["choices"][0]) == ["text", "index", "logprobs", "finish_reason"]
    assert out["choices"][0]["index"] == 0 and out["choices"][0]["logprobs"] is None
    assert list(out["usage"]) == ["prompt_tokens", "completion_tokens", "total_tokens"]
    assert m(A, max_tokens=1)["model"] == str(m.path)


def test_completion_stream_chunk_shape(m):
    chunks = list(m(A, max_tokens=3, temperature=0, stream=True))
    assert len({c["id"] for c in chunks}) == 1
    for c in chunks:
        assert list(c) == ["id", "object", "created", "model", "choices"]  # no usage in chunks
        assert c["object"] == "text_completion"
        assert list(c["choices"][0]) == ["text", "index", "logprobs", "finish_reason"]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, None, "length"]
    assert chunks[-1]["choices"][0]["text"] == ""


def test_chat_completion_shape(m):
    msgs = [{"role": "user", "content": "hi"}]
    out = m.create_chat_completion(msgs, max_tokens=5)
    assert list(out) == ["id", "object", "created", "model", "choices", "usage"]
    assert out["id"].startswith("chatcmpl-") and out["object"] == "chat.completion"
    ch = out["choices"][0]
    assert list(ch) == ["index", "message", "logprobs", "finish_reason"]
    assert ch["message"] == {"role": "assistant", "content": " ok"}  # the template ends with 'R'
    assert ch["finish_reason"] == "stop"
    assert list(out["usage"]) == ["prompt_tokens", "completion_tokens", "total_tokens"]


def test_chat_stream_chunk_shape(m):
    msgs = [{"role": "user", "content": "hi"}]
    chunks = list(m.create_chat_completion(msgs, max_tokens=5, stream=True))
    for c in chunks:
        assert list(c) == ["id", "model", "created", "object", "choices"]
        assert c["object"] == "chat.completion.chunk"
        assert list(c["choices"][0]) == ["index", "delta", "logprobs", "finish_reason"]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert chunks[1]["choices"][0]["delta"] == {"content": " ok"}
    assert chunks[-1]["choices"][0]["delta"] == {} and chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_chat_logprobs_shape(m):
    out = m.create_chat_completion([{"role": "user", "content": "hi"}], logprobs=True, top_logprobs=2)
    lp = out["choices"][0]["logprobs"]
    assert list(lp) == ["content", "refusal"]
    assert list(lp["content"][0]) == ["token", "logprob", "bytes", "top_logprobs"]
    assert lp["content"][0]["token"] == " ok"
    assert list(lp["content"][0]["top_logprobs"][0]) == ["token", "logprob", "bytes"]


# ---- errors ----------------------------------------------------------------------------------
def test_prompt_longer_than_context(chain_path):
    mm = pyllm.Model(chain_path, n_ctx=16, n_threads=1)
    with pytest.raises(ValueError) as e:
        mm.generate(A * 20, max_tokens=1)
    assert "20" in str(e.value) and "16" in str(e.value)
    with pytest.raises(ValueError, match="16"):
        mm(A * 16, max_tokens=1)
    assert mm.generate(A, max_tokens=2, temperature=0) == expected(2)  # still usable


@pytest.mark.parametrize("kw,word", [
    (dict(max_tokens=-1), "max_tokens"),
    (dict(top_p=1.5), "top_p"),
    (dict(top_p=-0.1), "top_p"),
    (dict(min_p=2.0), "min_p"),
    (dict(temperature=float("nan")), "temperature"),
    (dict(repeat_penalty=0.0), "repeat_penalty"),
    (dict(logprobs=-2), "logprobs"),
])
def test_bad_arguments(m, kw, word):
    with pytest.raises(ValueError, match=word):
        m(A, **kw)


def test_bad_prompt_ids(m):
    with pytest.raises(ValueError, match="out of range"):
        m.generate([10**6])
    with pytest.raises(ValueError, match="empty"):
        m.generate([])


def test_chat_errors(m, soft_path):
    with pytest.raises(ValueError, match="empty"):
        m.create_chat_completion([])
    with pytest.raises(ValueError, match="unknown chat format"):
        m.create_chat_completion([{"role": "user", "content": "x"}], chat_format="nope")
    no_template = pyllm.Model(soft_path, n_ctx=64, n_threads=1)
    with pytest.raises(ValueError, match="no chat template"):
        no_template.create_chat_completion([{"role": "user", "content": "x"}])
    # an override works on a model without a template
    out = no_template.create_chat_completion([{"role": "user", "content": "x"}], max_tokens=2,
                                             chat_template="{{ 'Q' }}", temperature=0)
    assert isinstance(out["choices"][0]["message"]["content"], str)
    assert out["usage"]["prompt_tokens"] == 1  # the rendered 'Q'


def test_penalties_change_greedy_choice(m):
    # Without penalties the cycle repeats; a huge presence penalty forbids every token already
    # seen in the window (prompt included), so no token repeats within the window.
    out = m.generate(A, max_tokens=12, temperature=0, presence_penalty=100.0)
    assert out != expected(12)
    ids = list(m._gen.history)  # prompt + generated tokens in the KV cache (all but the last)
    assert len(ids) >= 6 and len(ids) == len(set(ids))


def test_interrupt_in_callback_leaves_model_usable(m):
    # A Python exception raised inside the per-token callback (as KeyboardInterrupt would be)
    # propagates out of the C++ loop; the next generation starts cleanly.
    g = m._generator()
    gp = pyllm._core.GenerateParams()
    gp.max_tokens = 30
    gp.sampling.temperature = 0.0
    seen = []

    def cb(tid, *_):
        seen.append(tid)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        g.generate(A, gp, cb)
    assert len(seen) == 3
    assert m.generate(A, max_tokens=5, temperature=0) == expected(5)


def test_native_log_is_silent_unless_verbose(chain_path, caplog, capfd):
    import logging

    caplog.set_level(logging.INFO, logger="pyllm")
    quiet = pyllm.Model(chain_path, n_ctx=64, n_threads=1)
    quiet.generate(A, max_tokens=2)
    assert not [r for r in caplog.records if r.name == "pyllm.native"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    loud = pyllm.Model(chain_path, n_ctx=64, n_threads=1, verbose=True)
    loud.generate(A, max_tokens=2)
    msgs = [r.getMessage() for r in caplog.records if r.name == "pyllm.native"]
    assert any(m.startswith("prompt: 1 tokens") for m in msgs) and any(m.startswith("decode: 2 tokens") for m in msgs)
    quiet.generate(A, max_tokens=2)  # back to silent for the non-verbose model
    assert len([r for r in caplog.records if r.name == "pyllm.native"]) == len(msgs)


def test_new_generation_invalidates_an_unfinished_stream(m):
    it = m.generate(A, max_tokens=10, temperature=0, stream=True)
    assert next(it) == " the"
    assert m.generate(Q, max_tokens=3, temperature=0) == " bye"
    with pytest.raises(RuntimeError, match="another generation"):
        next(it)
    assert m.generate(A, max_tokens=3, temperature=0) == expected(3)


def test_threads_sharing_a_model_take_turns(m):
    import threading

    results = {}

    def work(i):
        prompt = A if i % 2 == 0 else Q
        results[i] = m.generate(prompt, max_tokens=12, temperature=0)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: (expected(12) if i % 2 == 0 else " bye") for i in range(6)}


def test_echo_and_suffix(m):
    out = m("A", max_tokens=3, temperature=0, echo=True, suffix="!")
    assert out["choices"][0]["text"] == "A the end is!"
    chunks = list(m("A", max_tokens=3, temperature=0, echo=True, stream=True))
    assert chunks[0]["choices"][0]["text"] == "A"
    assert "".join(c["choices"][0]["text"] for c in chunks) == "A the end is"


def test_text_prompt_and_stop_as_string(m):
    assert m.generate("A", max_tokens=10, temperature=0, stop="XY") == " the end is near. "
