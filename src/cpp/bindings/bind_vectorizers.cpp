// bind_vectorizers.cpp — pyllm._core.classic: CountFit, Vocabulary, count_fit, count_transform,
// tfidf_inplace. Glue only: documents are viewed (ASCII str) or copied (pre-split tokens) under the
// GIL, then all work runs with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <deque>
#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "classic/vectorizers.h"
#include "common/error.h"

namespace pyllm::bindings {

namespace {

using namespace pyllm::classic;

std::string utf8_of(PyObject* s, const char* what, size_t index) {
    if (!PyUnicode_Check(s))
        throw py::type_error(str(what, " ", index, ": expected str, got ", Py_TYPE(s)->tp_name));
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(s, &n);
    if (!p) throw py::error_already_set();
    return std::string(p, (size_t)n);
}

// Documents as the C++ core sees them, plus the storage that keeps pre-split tokens alive.
struct Docs {
    std::vector<DocSource> docs;
    std::deque<std::vector<std::string>> token_store;
};

void add_tokens(Docs& d, py::handle seq, size_t index) {
    std::vector<std::string>& toks = d.token_store.emplace_back();
    py::sequence s = py::reinterpret_borrow<py::sequence>(seq);
    toks.reserve(py::len(s));
    for (py::handle t : s) toks.push_back(utf8_of(t.ptr(), "token of document", index));
    DocSource src;
    src.tokens = &toks;
    d.docs.push_back(src);
}

// raw=True: every item is a str; ASCII strs are viewed in place, the others are passed to
// `split(doc) -> list[str]` (Python's re + str.lower()). raw=False: every item is a list of str.
Docs collect(const py::list& items, bool raw, const py::object& split) {
    Docs d;
    d.docs.reserve(items.size());
    size_t i = 0;
    for (py::handle h : items) {
        if (raw) {
            PyObject* o = h.ptr();
            if (!PyUnicode_Check(o))
                throw py::type_error(str("document ", i, ": expected str, got ", Py_TYPE(o)->tp_name));
            if (PyUnicode_IS_ASCII(o)) {
                Py_ssize_t n = 0;
                const char* p = PyUnicode_AsUTF8AndSize(o, &n);  // compact ASCII: no copy
                if (!p) throw py::error_already_set();
                d.docs.push_back(DocSource{std::string_view(p, (size_t)n), nullptr});
            } else {
                if (split.is_none())
                    throw py::value_error(str("document ", i, " is not ASCII and no splitter was given"));
                add_tokens(d, split(h), i);
            }
        } else {
            if (PyUnicode_Check(h.ptr()))
                throw py::type_error(str("document ", i, ": expected a list of tokens, got str"));
            add_tokens(d, h, i);
        }
        ++i;
    }
    return d;
}

CountOptions make_options(bool lowercase, int ngram_min, int ngram_max, std::vector<std::string> stop_words,
                          int n_threads) {
    CountOptions o;
    o.lowercase = lowercase;
    o.ngram_min = ngram_min;
    o.ngram_max = ngram_max;
    o.stop_words = std::move(stop_words);
    o.n_threads = n_threads;
    return o;
}

template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
    py::array_t<T> a((py::ssize_t)v.size());
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
}

// (data, indices, indptr) numpy arrays of a CountMatrix; data float64 or int64; binary -> ones.
py::tuple csr_arrays(const CountMatrix& X, bool as_float, bool binary) {
    const size_t nnz = X.indices.size();
    py::object data;
    if (as_float) {
        py::array_t<double> a((py::ssize_t)nnz);
        double* p = a.mutable_data();
        for (size_t k = 0; k < nnz; ++k) p[k] = binary ? 1.0 : (double)X.counts[k];
        data = a;
    } else {
        py::array_t<int64_t> a((py::ssize_t)nnz);
        int64_t* p = a.mutable_data();
        for (size_t k = 0; k < nnz; ++k) p[k] = binary ? 1 : X.counts[k];
        data = a;
    }
    py::object indptr;
    if (nnz < (size_t)INT32_MAX) {
        py::array_t<int32_t> ip((py::ssize_t)X.indptr.size());
        std::copy(X.indptr.begin(), X.indptr.end(), ip.mutable_data());
        indptr = ip;
        return py::make_tuple(data, to_numpy(X.indices), indptr, X.n_cols);
    }
    py::array_t<int64_t> ind((py::ssize_t)nnz);
    std::copy(X.indices.begin(), X.indices.end(), ind.mutable_data());
    return py::make_tuple(data, ind, to_numpy(X.indptr), X.n_cols);
}

CountFit count_fit_py(const py::list& items, bool raw, const py::object& split, bool lowercase, int ngram_min,
                      int ngram_max, std::vector<std::string> stop_words, int n_threads) {
    Docs d = collect(items, raw, split);
    CountOptions o = make_options(lowercase, ngram_min, ngram_max, std::move(stop_words), n_threads);
    py::gil_scoped_release nogil;
    return count_fit(d.docs, o);
}

py::tuple count_transform_py(const py::list& items, bool raw, const py::object& split, const Vocabulary& vocab,
                             bool lowercase, int ngram_min, int ngram_max, std::vector<std::string> stop_words,
                             int n_threads, bool as_float, bool binary) {
    Docs d = collect(items, raw, split);
    CountOptions o = make_options(lowercase, ngram_min, ngram_max, std::move(stop_words), n_threads);
    CountMatrix X;
    {
        py::gil_scoped_release nogil;
        X = count_transform(d.docs, o, vocab);
    }
    return csr_arrays(X, as_float, binary);
}

py::tuple fit_matrix(const CountFit& fit, const py::object& keep, bool as_float, bool binary) {
    if (keep.is_none()) return csr_arrays(fit.X, as_float, binary);
    auto k = keep.cast<py::array_t<uint8_t, py::array::c_style | py::array::forcecast>>();
    std::vector<uint8_t> mask(k.data(), k.data() + k.size());
    CountMatrix Y;
    {
        py::gil_scoped_release nogil;
        Y = select_columns(fit.X, mask);
    }
    return csr_arrays(Y, as_float, binary);
}

template <typename Index>
void tfidf_typed(py::array data, py::array indices, py::array indptr, const double* idf, bool sublinear, Norm norm) {
    auto ind = indices.cast<py::array_t<Index, py::array::c_style>>();
    auto ptr = indptr.cast<py::array_t<Index, py::array::c_style>>();
    double* x = static_cast<double*>(data.mutable_data());
    int64_t n_rows = (int64_t)ptr.size() - 1;
    PYLLM_CHECK(n_rows >= 0 && (int64_t)ptr.data()[n_rows] == (int64_t)data.size() &&
                    indices.size() == data.size(),
                InvalidArgument, "inconsistent CSR arrays (nnz ", data.size(), ")");
    py::gil_scoped_release nogil;
    tfidf_inplace<Index>(x, ind.data(), ptr.data(), n_rows, idf, sublinear, norm);
}

void tfidf_py(py::array data, py::array indices, py::array indptr, const py::object& idf, bool sublinear,
              const std::string& norm) {
    if (!data.dtype().is(py::dtype::of<double>()) || !(data.flags() & py::array::c_style) || !data.writeable())
        throw py::value_error("tfidf_inplace: data must be a writeable contiguous float64 array");
    Norm n = norm == "l2" ? Norm::L2 : norm == "l1" ? Norm::L1 : Norm::None;
    if (norm != "l1" && norm != "l2" && norm != "none") throw py::value_error(str("unknown norm '", norm, "'"));
    py::array_t<double, py::array::c_style | py::array::forcecast> idf_arr;
    const double* idf_ptr = nullptr;
    if (!idf.is_none()) {
        idf_arr = idf.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
        idf_ptr = idf_arr.data();
    }
    if (indices.dtype().is(py::dtype::of<int32_t>()) && indptr.dtype().is(py::dtype::of<int32_t>()))
        tfidf_typed<int32_t>(data, indices, indptr, idf_ptr, sublinear, n);
    else
        tfidf_typed<int64_t>(data, indices.attr("astype")("int64"), indptr.attr("astype")("int64"), idf_ptr,
                             sublinear, n);
}

}  // namespace

void register_vectorizers(py::module_& m) {
    py::class_<Vocabulary>(m, "Vocabulary")
        .def(py::init<const std::vector<std::string>&>(), py::arg("terms"))
        .def("__len__", &Vocabulary::size);

    py::class_<CountFit>(m, "CountFit")
        .def_property_readonly("n_terms", [](const CountFit& f) { return (int64_t)f.terms.size(); })
        .def("terms", [](const CountFit& f) {
            py::list out(f.terms.size());
            for (size_t j = 0; j < f.terms.size(); ++j) out[j] = to_py_str(f.terms[j]);
            return out;
        })
        .def("df", [](const CountFit& f) { return to_numpy(f.df); })
        .def("tf", [](const CountFit& f) { return to_numpy(f.tf); })
        .def("matrix", &fit_matrix, py::arg("keep") = py::none(), py::arg("as_float") = false,
             py::arg("binary") = false,
             "(data, indices, indptr, n_cols) of the counts, restricted to columns with keep != 0");

    m.def("count_fit", &count_fit_py, py::arg("docs"), py::arg("raw"), py::arg("split"), py::arg("lowercase"),
          py::arg("ngram_min"), py::arg("ngram_max"), py::arg("stop_words"), py::arg("n_threads"));
    m.def("count_transform", &count_transform_py, py::arg("docs"), py::arg("raw"), py::arg("split"),
          py::arg("vocab"), py::arg("lowercase"), py::arg("ngram_min"), py::arg("ngram_max"),
          py::arg("stop_words"), py::arg("n_threads"), py::arg("as_float"), py::arg("binary"));
    m.def("tfidf_inplace", &tfidf_py, py::arg("data"), py::arg("indices"), py::arg("indptr"), py::arg("idf"),
          py::arg("sublinear"), py::arg("norm"));
}

}  // namespace pyllm::bindings
