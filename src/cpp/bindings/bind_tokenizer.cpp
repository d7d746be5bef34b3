// bind_tokenizer.cpp — pyllm._core.Tokenizer / Detokenizer. Glue only: text arrives as UTF-8
// bytes (pyllm/tokenizer.py converts str), results leave as lists of ints / bytes. Long calls
// release the GIL.
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "bindings/bindings.h"
#include "common/error.h"
#include "common/thread_pool.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace pyllm::bindings {

namespace {

using tokenizer::Detokenizer;
using tokenizer::Tokenizer;

std::string_view bytes_view(const py::bytes& b) {
    char* p = nullptr;
    Py_ssize_t n = 0;
    if (PyBytes_AsStringAndSize(b.ptr(), &p, &n) != 0) throw py::error_already_set();
    return std::string_view(p, static_cast<size_t>(n));
}

py::list to_list(const std::vector<int32_t>& ids) {
    py::list out(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        PyObject* o = PyLong_FromLong(ids[i]);
        if (!o) throw py::error_already_set();
        PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), o);
    }
    return out;
}

// Any iterable of ints -> ids; an id outside [0, n_vocab) raises ValueError naming it.
std::vector<int32_t> to_ids(const Tokenizer& t, const py::iterable& seq) {
    std::vector<int32_t> ids;
    for (py::handle h : seq) {
        const long long v = py::cast<long long>(h);
        PYLLM_CHECK(v >= 0 && v < t.n_vocab(), InvalidArgument, "token id ", v, " is out of range (vocabulary size ",
                    t.n_vocab(), ")");
        ids.push_back(static_cast<int32_t>(v));
    }
    return ids;
}

// Pauses the cyclic GC while many result lists are created (otherwise every 700 new lists trigger
// a collection that walks all of them: quadratic-looking slowdowns on large batches).
struct GcPause {
#if PY_VERSION_HEX >= 0x030A0000
    int was_enabled = PyGC_Disable();
    ~GcPause() {
        if (was_enabled) PyGC_Enable();
    }
#endif
};

// One persistent pool per requested size (batch encoding).
ThreadPool& pool_for(int n_threads) {
    static std::mutex mu;
    static std::map<int, std::unique_ptr<ThreadPool>> pools;
    std::lock_guard<std::mutex> lock(mu);
    auto& p = pools[n_threads];
    if (!p) p.reset(new ThreadPool(n_threads));
    return *p;
}

struct PyDetokenizer {
    std::shared_ptr<Tokenizer> tok;
    Detokenizer d;
    PyDetokenizer(std::shared_ptr<Tokenizer> t, bool skip, bool strip) : tok(std::move(t)), d(*tok, skip, strip) {}
};

}  // namespace

void register_tokenizer(py::module_& m) {
    py::class_<Tokenizer, std::shared_ptr<Tokenizer>>(m, "Tokenizer")
        .def_static("from_gguf", [](const std::string& path) {
            py::gil_scoped_release nogil;
            return Tokenizer::from_path(path);
        }, py::arg("path"))
        .def("encode", [](const Tokenizer& t, const py::bytes& text, bool add_special, bool parse_special) {
            const std::string_view s = bytes_view(text);
            std::vector<int32_t> ids;
            {
                py::gil_scoped_release nogil;
                ids = t.encode(s, add_special, parse_special);
            }
            return to_list(ids);
        }, py::arg("text"), py::arg("add_special"), py::arg("parse_special"))
        .def("encode_batch", [](const Tokenizer& t, const py::list& texts, bool add_special,
                                bool parse_special, int n_threads) {
            // Views into the bytes objects; `keep` holds references in case the list changes while
            // the GIL is released.
            std::vector<std::string_view> views;
            std::vector<py::object> keep;
            views.reserve(texts.size());
            keep.reserve(texts.size());
            for (py::handle h : texts) {
                keep.push_back(py::reinterpret_borrow<py::object>(h));
                PYLLM_CHECK(PyBytes_Check(h.ptr()), InvalidArgument, "encode_batch expects a list of bytes");
                views.push_back(std::string_view(PyBytes_AS_STRING(h.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(h.ptr()))));
            }
            if (n_threads <= 0) n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
            std::vector<std::vector<int32_t>> res;
            {
                py::gil_scoped_release nogil;
                res = t.encode_batch(views, add_special, parse_special, n_threads > 1 ? &pool_for(n_threads) : nullptr);
            }
            GcPause pause;
            py::list out(res.size());
            for (size_t i = 0; i < res.size(); ++i) {
                py::list l = to_list(res[i]);
                PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), l.release().ptr());
            }
            return out;
        }, py::arg("texts"), py::arg("add_special"), py::arg("parse_special"), py::arg("n_threads"))
        .def("decode", [](const Tokenizer& t, const py::iterable& ids, bool skip_special) {
            const std::vector<int32_t> v = to_ids(t, ids);
            std::string s;
            {
                py::gil_scoped_release nogil;
                s = t.decode(v.data(), v.size(), skip_special);
            }
            return py::bytes(s);
        }, py::arg("ids"), py::arg("skip_special"))
        .def("token_to_piece", [](const Tokenizer& t, int32_t id) { return py::bytes(t.token_to_piece(id)); })
        .def("id_to_token", [](const Tokenizer& t, int32_t id) { return to_py_str(t.id_to_token(id)); })
        .def("token_to_id", [](const Tokenizer& t, const py::bytes& text) { return t.token_to_id(bytes_view(text)); })
        .def("tokens", [](const Tokenizer& t) {
            py::list out(static_cast<size_t>(t.n_vocab()));
            for (int32_t i = 0; i < t.n_vocab(); ++i) out[static_cast<size_t>(i)] = to_py_str(t.id_to_token(i));
            return out;
        })
        .def("token_type", [](const Tokenizer& t, int32_t id) { return static_cast<int>(t.token_type(id)); })
        .def("is_eog", &Tokenizer::is_eog)
        .def_property_readonly("eog_ids", [](const Tokenizer& t) { return t.eog_ids(); })
        .def_property_readonly("n_vocab", &Tokenizer::n_vocab)
        .def_property_readonly("model", [](const Tokenizer& t) { return t.vocab().model; })
        .def_property_readonly("pre", [](const Tokenizer& t) { return t.vocab().pre; })
        .def_property_readonly("special_ids", [](const Tokenizer& t) {
            const auto& v = t.vocab();
            py::dict d;
            d["bos"] = v.bos; d["eos"] = v.eos; d["eot"] = v.eot; d["eom"] = v.eom;
            d["pad"] = v.pad; d["unk"] = v.unk; d["sep"] = v.sep; d["mask"] = v.mask;
            return d;
        })
        .def_property_readonly("add_bos", [](const Tokenizer& t) { return t.vocab().add_bos; })
        .def_property_readonly("add_eos", [](const Tokenizer& t) { return t.vocab().add_eos; })
        .def_property_readonly("add_space_prefix", [](const Tokenizer& t) { return t.vocab().add_space_prefix; })
        .def_static("unicode_version", []() { return std::string(tokenizer::unicode_version()); });

    py::class_<PyDetokenizer>(m, "Detokenizer")
        .def(py::init<std::shared_ptr<Tokenizer>, bool, bool>(), py::arg("tokenizer"), py::arg("skip_special"),
             py::arg("strip_prefix_space") = true)
        .def("add", [](PyDetokenizer& d, long long id) {
            PYLLM_CHECK(id >= 0 && id < d.tok->n_vocab(), InvalidArgument, "token id ", id,
                        " is out of range (vocabulary size ", d.tok->n_vocab(), ")");
            return py::bytes(d.d.add(static_cast<int32_t>(id)));
        }, py::arg("id"))
        .def("flush", [](PyDetokenizer& d) { return py::bytes(d.d.flush()); })
        .def("reset", [](PyDetokenizer& d) { d.d.reset(); });
}

}  // namespace pyllm::bindings
