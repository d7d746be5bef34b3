// bind_ngram_lm.cpp — pyllm._core.classic.NGramLM. Glue only; fitting and scoring release the GIL.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "classic/ngram_lm.h"
#include "classic/word_vocab.h"
#include "common/error.h"

namespace pyllm::bindings {

namespace {

using namespace pyllm::classic;
using I32 = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;
using I64 = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

std::unique_ptr<NGramLM> make(int order, const std::string& smoothing, double discount, double add_k,
                              int64_t vocab_size) {
    NGramOptions o;
    o.order = order;
    if (smoothing == "kneser_ney")
        o.smoothing = Smoothing::KneserNey;
    else if (smoothing == "add_k")
        o.smoothing = Smoothing::AddK;
    else
        throw InvalidArgument(str("unknown smoothing '", smoothing, "' (expected 'kneser_ney' or 'add_k')"));
    o.discount = discount;
    o.add_k = add_k;
    o.vocab_size = vocab_size;
    return std::make_unique<NGramLM>(o);
}

std::vector<int64_t> offsets_of(const I64& a) { return std::vector<int64_t>(a.data(), a.data() + a.size()); }

// texts -> (ids int32, offsets int64); ASCII texts split in C++, the others by split(text) -> list[str].
py::tuple encode_texts(WordVocab& v, const py::list& texts, bool lowercase, bool grow, const py::object& split) {
    std::vector<int32_t> ids;
    std::vector<int64_t> offsets{0};
    size_t i = 0;
    for (py::handle h : texts) {
        PyObject* o = h.ptr();
        if (!PyUnicode_Check(o)) throw py::type_error(str("item ", i, ": expected str, got ", Py_TYPE(o)->tp_name));
        if (PyUnicode_IS_ASCII(o)) {
            Py_ssize_t n = 0;
            const char* p = PyUnicode_AsUTF8AndSize(o, &n);
            if (!p) throw py::error_already_set();
            v.encode_ascii(std::string_view(p, (size_t)n), lowercase, grow, ids);
        } else {
            std::vector<std::string> toks = split(h).cast<std::vector<std::string>>();
            v.encode_tokens(toks, grow, ids);
        }
        offsets.push_back((int64_t)ids.size());
        ++i;
    }
    py::array_t<int32_t> a((py::ssize_t)ids.size());
    std::copy(ids.begin(), ids.end(), a.mutable_data());
    py::array_t<int64_t> b((py::ssize_t)offsets.size());
    std::copy(offsets.begin(), offsets.end(), b.mutable_data());
    return py::make_tuple(a, b);
}

}  // namespace

void register_ngram_lm(py::module_& m) {
    py::class_<WordVocab>(m, "WordVocab")
        .def(py::init<>())
        .def("__len__", &WordVocab::size)
        .def("words", [](const WordVocab& v) {
            py::list out(v.size());
            for (int32_t i = 0; i < v.size(); ++i) out[i] = to_py_str(v.word(i));
            return out;
        })
        .def("encode", &encode_texts, py::arg("texts"), py::arg("lowercase"), py::arg("grow"), py::arg("split"));

    py::class_<NGramLM>(m, "NGramLM")
        .def(py::init(&make), py::arg("order"), py::arg("smoothing"), py::arg("discount"), py::arg("add_k"),
             py::arg("vocab_size"))
        .def("fit",
             [](NGramLM& lm, I32 ids, I64 offsets) {
                 std::vector<int64_t> off = offsets_of(offsets);
                 PYLLM_CHECK(!off.empty() && off.back() == (int64_t)ids.size(), InvalidArgument,
                             "offsets must end at len(ids) = ", ids.size());
                 py::gil_scoped_release nogil;
                 lm.fit(ids.data(), off);
             },
             py::arg("ids"), py::arg("offsets"))
        .def_property_readonly("fitted", &NGramLM::fitted)
        .def_property_readonly("order", &NGramLM::order)
        .def_property_readonly("vocab_size", &NGramLM::vocab_size)
        .def("discounts", &NGramLM::discounts, py::arg("k"))
        .def("n_ngrams", &NGramLM::n_ngrams, py::arg("k"))
        .def("prob", [](const NGramLM& lm, int32_t w, I32 ctx) { return lm.prob(w, ctx.data(), ctx.size()); },
             py::arg("w"), py::arg("ctx"))
        .def("distribution",
             [](const NGramLM& lm, I32 ctx) {
                 PYLLM_CHECK(lm.fitted(), InvalidArgument, "the model is not fitted");
                 py::array_t<double> out((py::ssize_t)lm.vocab_size());
                 double* p = out.mutable_data();
                 {
                     py::gil_scoped_release nogil;
                     lm.distribution(ctx.data(), ctx.size(), p);
                 }
                 return out;
             },
             py::arg("ctx"))
        .def("total_logprob",
             [](const NGramLM& lm, I32 ids, I64 offsets, int64_t skip) {
                 std::vector<int64_t> off = offsets_of(offsets);
                 PYLLM_CHECK(!off.empty() && off.back() == (int64_t)ids.size(), InvalidArgument,
                             "offsets must end at len(ids) = ", ids.size());
                 int64_t n = 0;
                 double s;
                 {
                     py::gil_scoped_release nogil;
                     s = lm.total_logprob(ids.data(), off, skip, &n);
                 }
                 return py::make_tuple(s, n);
             },
             py::arg("ids"), py::arg("offsets"), py::arg("skip"))
        .def("generate",
             [](const NGramLM& lm, std::vector<int32_t> prefix, int64_t max_tokens, uint64_t seed, double temperature) {
                 py::gil_scoped_release nogil;
                 return lm.generate(prefix, max_tokens, seed, temperature);
             },
             py::arg("prefix"), py::arg("max_tokens"), py::arg("seed"), py::arg("temperature"));
}

}  // namespace pyllm::bindings
