"""`pyllm run`, `pyllm chat`, `pyllm tokenize` on the synthetic chain model (tests/chain_model.py)."""

import subprocess
import sys

import pytest

from pyllm.cli import main
import chain_model as cm


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return str(cm.write_chain_model(tmp_path_factory.mktemp("cli") / "chain.gguf", chat_template=True))


def test_run_raw_streams_and_prints_speed(chain, capsys):
    assert main(["run", "-m", chain, "-t", "1", "--raw", "--temp", "0", "-n", "6", "A"]) == 0
    out, err = capsys.readouterr()
    assert out == " the end is near.\n"
    assert "prompt:" in err and "decode: 6 tokens" in err and "tok/s" in err


def test_run_uses_the_chat_template(chain, capsys):
    assert main(["run", "-m", chain, "-t", "1", "--temp", "0", "hello"]) == 0
    out, err = capsys.readouterr()
    assert out == " ok\n"  # the template ends with 'R' -> ' ok' <|im_end|>


def test_run_bad_argument_is_a_clean_error(chain, capsys):
    assert main(["run", "-m", chain, "--top-p", "3", "A"]) == 1
    assert "top_p" in capsys.readouterr().err


def test_run_kv_type(chain, capsys):
    assert main(["run", "-m", chain, "-t", "1", "--raw", "--temp", "0", "-n", "6", "--kv-type", "f32", "A"]) == 0
    assert capsys.readouterr().out == " the end is near.\n"
    # this model's heads have 16 dims: a Q8_0 cache (blocks of 32) is refused with the reason
    assert main(["run", "-m", chain, "-t", "1", "--kv-type", "q8_0", "A"]) == 1
    assert "multiple of 32" in capsys.readouterr().err


def test_tokenize(chain, capsys):
    assert main(["tokenize", "-m", chain, "--ids", "A"]) == 0
    assert capsys.readouterr().out.split() == [str(cm.ID["A"])]
    assert main(["tokenize", "-m", chain, "A"]) == 0
    assert "'A'" in capsys.readouterr().out


def test_chat_session_history_reset_and_ctrl_d(chain):
    r = subprocess.run([sys.executable, "-m", "pyllm", "chat", "-m", chain, "-t", "1", "--temp", "0"],
                       input="hi\n/reset\nhello again\n", capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(" ok") == 2
    assert "history cleared" in r.stderr
