// bind_generate.cpp — _core.SamplerParams, GenerateParams, Sampler, Generator and the log sink
// (sampling/sampler.h, engine/generate.h, common/log.h). Glue only: every model call releases the
// GIL; Python callbacks re-acquire it and let KeyboardInterrupt (any Python exception) through.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings/bindings.h"
#include "common/error.h"
#include "common/log.h"
#include "engine/generate.h"
#include "sampling/logprobs.h"
#include "sampling/sampler.h"

namespace pyllm::bindings {

namespace {

using engine::GenerateParams;
using engine::Generator;
using engine::Session;
using engine::StopReason;
using engine::TokenInfo;
using sampling::SamplerParams;

const char* reason_name(StopReason r) {
    switch (r) {
        case StopReason::None: return "none";
        case StopReason::Length: return "length";
        case StopReason::EndOfGeneration: return "eog";
        case StopReason::Requested: return "requested";
        case StopReason::ContextFull: return "context_full";
    }
    return "?";
}

// (id, logprob, top_ids, top_logprobs); logprob is None without logprobs.
py::tuple token_tuple(const TokenInfo& t, bool with_logprobs) {
    if (!with_logprobs) return py::make_tuple(t.id, py::none(), py::none(), py::none());
    return py::make_tuple(t.id, t.logprobs.logprob, t.logprobs.top_ids, t.logprobs.top_logprobs);
}

// Between prefill chunks: re-acquire the GIL and raise a pending KeyboardInterrupt.
std::function<bool()> signal_check() {
    return [] {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        return true;
    };
}

std::vector<int32_t> to_ids(const py::iterable& seq) {
    std::vector<int32_t> ids;
    for (py::handle h : seq) {
        const long long v = py::cast<long long>(h);
        PYLLM_CHECK(v >= 0 && v <= INT32_MAX, OutOfRange, "token id ", v, " is out of range");
        ids.push_back((int32_t)v);
    }
    return ids;
}

}  // namespace

void register_generate(py::module_& m) {
    py::class_<SamplerParams>(m, "SamplerParams")
        .def(py::init<>())
        .def_readwrite("temperature", &SamplerParams::temperature)
        .def_readwrite("top_k", &SamplerParams::top_k)
        .def_readwrite("top_p", &SamplerParams::top_p)
        .def_readwrite("min_p", &SamplerParams::min_p)
        .def_readwrite("typical_p", &SamplerParams::typical_p)
        .def_readwrite("repeat_penalty", &SamplerParams::repeat_penalty)
        .def_readwrite("frequency_penalty", &SamplerParams::frequency_penalty)
        .def_readwrite("presence_penalty", &SamplerParams::presence_penalty)
        .def_readwrite("penalty_last_n", &SamplerParams::penalty_last_n)
        .def_readwrite("seed", &SamplerParams::seed)
        .def("validate", &SamplerParams::validate);

    py::class_<GenerateParams>(m, "GenerateParams")
        .def(py::init<>())
        .def_readwrite("sampling", &GenerateParams::sampling)
        .def_readwrite("max_tokens", &GenerateParams::max_tokens)
        .def_readwrite("eog_ids", &GenerateParams::eog_ids)
        .def_readwrite("n_logprobs", &GenerateParams::n_logprobs)
        .def_readwrite("prompt_logprobs", &GenerateParams::prompt_logprobs)
        .def_readwrite("reuse_prefix", &GenerateParams::reuse_prefix)
        .def_readwrite("prefill_chunk", &GenerateParams::prefill_chunk);

    py::class_<sampling::Sampler>(m, "Sampler")
        .def(py::init<const SamplerParams&, int32_t>(), py::arg("params"), py::arg("n_vocab"))
        .def("accept", &sampling::Sampler::accept, py::arg("id"))
        .def("sample", [](sampling::Sampler& s, py::array_t<float, py::array::c_style | py::array::forcecast> logits) {
            PYLLM_CHECK(logits.ndim() == 1, InvalidArgument, "logits must be 1-D, got ", logits.ndim(), " dimensions");
            return s.sample(logits.data());
        }, py::arg("logits"))
        .def("reseed", &sampling::Sampler::reseed, py::arg("seed"));

    m.def("token_logprobs", [](py::array_t<float, py::array::c_style | py::array::forcecast> logits, int32_t chosen,
                               int32_t n_top) {
        PYLLM_CHECK(logits.ndim() == 1, InvalidArgument, "logits must be 1-D");
        auto r = sampling::token_logprobs(logits.data(), (int32_t)logits.size(), chosen, n_top);
        return py::make_tuple(r.logprob, r.top_ids, r.top_logprobs);
    }, py::arg("logits"), py::arg("chosen"), py::arg("n_top"));

    py::class_<Generator, std::shared_ptr<Generator>>(m, "Generator")
        .def(py::init<std::shared_ptr<Session>>(), py::arg("session"))
        .def("start", [](Generator& g, const py::iterable& prompt, const GenerateParams& p) {
            const std::vector<int32_t> ids = to_ids(prompt);
            py::gil_scoped_release nogil;
            g.start(ids, p, signal_check());
        }, py::arg("prompt"), py::arg("params"))
        // next() -> (id, logprob, top_ids, top_logprobs) or None when finished (GIL released meanwhile).
        .def("next", [](Generator& g) -> py::object {
            TokenInfo t;
            bool ok;
            {
                py::gil_scoped_release nogil;
                ok = g.next(t);
            }
            if (!ok) return py::none();
            return py::object(token_tuple(t, true));
        })
        // on_token(id, logprob, top_ids, top_logprobs) -> truthy to stop. Runs with the GIL held.
        .def("generate", [](Generator& g, const py::iterable& prompt, const GenerateParams& p, py::object on_token) {
            const std::vector<int32_t> ids = to_ids(prompt);
            const bool lp = p.n_logprobs >= 0;
            std::function<bool(const TokenInfo&)> cb;
            if (!on_token.is_none())
                cb = [&on_token, lp](const TokenInfo& t) {
                    py::gil_scoped_acquire gil;
                    py::object r = on_token(*token_tuple(t, lp));
                    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                    return !py::bool_(r);
                };
            std::vector<int32_t> out;
            {
                py::gil_scoped_release nogil;
                out = engine::generate(g, ids, p, cb, signal_check());
            }
            return out;
        }, py::arg("prompt"), py::arg("params"), py::arg("on_token") = py::none())
        .def("stop", &Generator::stop)
        .def("reset", &Generator::reset)
        .def_property_readonly("finished", &Generator::finished)
        .def_property_readonly("stop_reason", [](const Generator& g) { return reason_name(g.stop_reason()); })
        .def_property_readonly("history", &Generator::history)
        .def_property_readonly("stats", [](const Generator& g) {
            const auto& s = g.stats();
            py::dict d;
            d["n_prompt"] = s.n_prompt;
            d["n_prompt_reused"] = s.n_prompt_reused;
            d["n_generated"] = s.n_generated;
            d["prompt_seconds"] = s.prompt_seconds;
            d["decode_seconds"] = s.decode_seconds;
            return d;
        })
        .def_property_readonly("prompt_logprobs", [](const Generator& g) {
            py::list out;
            for (const auto& r : g.prompt_logprobs()) out.append(py::make_tuple(r.logprob, r.top_ids, r.top_logprobs));
            return out;
        });

    // set_log_sink(fn(level, message) or None, min_level): native messages go to fn.
    m.def("set_log_sink", [](py::object fn, int min_level) {
        if (fn.is_none()) {
            log::set_sink(nullptr, min_level);
            return;
        }
        // Released with the GIL held; leaked (never touched) once the interpreter is finalizing.
        std::shared_ptr<py::object> holder(new py::object(fn), [](py::object* o) {
            if (!Py_IsInitialized()) return;
            py::gil_scoped_acquire gil;
            delete o;
        });
        log::set_sink([holder](int level, const std::string& msg) {
            py::gil_scoped_acquire gil;
            try {
                (*holder)(level, to_py_str(msg));
            } catch (py::error_already_set& e) {
                e.discard_as_unraisable("pyllm log sink");
            }
        }, min_level);
    }, py::arg("sink"), py::arg("min_level") = 20);
    m.def("set_log_level", &log::set_level, py::arg("min_level"));
}

}  // namespace pyllm::bindings
