// bind_word2vec.cpp — pyllm._core.classic.train_word2vec and kernel test hooks. Glue only:
// tokens are viewed (UTF-8 of each str) under the GIL, training runs with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "classic/w2v_kernels.h"
#include "classic/word2vec.h"
#include "common/error.h"

namespace pyllm::bindings {

namespace {

using namespace pyllm::classic;
using F32 = py::array_t<float, py::array::c_style | py::array::forcecast>;

py::dict train(const py::list& sentences, int vector_size, int window, int min_count, int negative, int epochs,
               bool sg, bool cbow_mean, double sample, double ns_exponent, float alpha, float min_alpha,
               int workers, uint64_t seed, bool compute_loss, int max_sentence_length, bool doc_vectors,
               bool dbow_words) {
    // The tokens are copied into one arena (the GIL is released during training, and another
    // Python thread could mutate the caller's token lists meanwhile).
    std::string arena;
    std::vector<size_t> starts;       // [n_words + 1] into arena
    std::vector<int64_t> offsets{0};
    size_t s = 0;
    for (py::handle sent : sentences) {
        PyObject* so = sent.ptr();
        if (PyUnicode_Check(so))
            throw py::type_error(str("sentence ", s, " is a str; Word2Vec expects each sentence to be a list of "
                                     "tokens (e.g. text.split())"));
        PyObject* seq = PySequence_Fast(so, "");
        if (!seq) {
            PyErr_Clear();
            throw py::type_error(str("sentence ", s, ": expected a list of str tokens, got ", Py_TYPE(so)->tp_name));
        }
        py::object keep = py::reinterpret_steal<py::object>(seq);
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        PyObject** items = PySequence_Fast_ITEMS(seq);
        for (Py_ssize_t i = 0; i < n; ++i) {
            PyObject* t = items[i];
            if (!PyUnicode_Check(t))
                throw py::type_error(str("sentence ", s, ", token ", i, ": expected str, got ", Py_TYPE(t)->tp_name));
            Py_ssize_t len = 0;
            const char* p = PyUnicode_AsUTF8AndSize(t, &len);  // cached in the str object; alive with `sentences`
            if (!p) throw py::error_already_set();
            starts.push_back(arena.size());
            arena.append(p, (size_t)len);
        }
        offsets.push_back((int64_t)starts.size());
        ++s;
    }
    starts.push_back(arena.size());
    std::vector<std::string_view> words(starts.size() - 1);
    for (size_t i = 0; i + 1 < starts.size(); ++i) words[i] = std::string_view(arena.data() + starts[i], starts[i + 1] - starts[i]);
    Word2VecOptions o;
    o.vector_size = vector_size;
    o.window = window;
    o.min_count = min_count;
    o.negative = negative;
    o.epochs = epochs;
    o.sg = sg;
    o.cbow_mean = cbow_mean;
    o.sample = sample;
    o.ns_exponent = ns_exponent;
    o.alpha = alpha;
    o.min_alpha = min_alpha;
    o.workers = workers;
    o.seed = seed;
    o.compute_loss = compute_loss;
    o.max_sentence_length = max_sentence_length;
    o.doc_vectors = doc_vectors;
    o.dbow_words = dbow_words;
    Word2VecModel m;
    {
        py::gil_scoped_release nogil;
        m = train_word2vec(words, offsets, o);
    }
    const py::ssize_t V = (py::ssize_t)m.words.size(), D = m.vector_size;
    py::array_t<float> vec({V, D}), out({V, D});
    std::copy(m.vectors.begin(), m.vectors.end(), vec.mutable_data());
    std::copy(m.out_vectors.begin(), m.out_vectors.end(), out.mutable_data());
    py::list w(V);
    for (py::ssize_t i = 0; i < V; ++i) w[i] = to_py_str(m.words[i]);
    py::dict d;
    d["words"] = w;
    d["counts"] = m.counts;
    d["vectors"] = vec;
    d["out_vectors"] = out;
    d["epoch_loss"] = m.epoch_loss;
    if (doc_vectors) {
        const py::ssize_t N = (py::ssize_t)(offsets.size() - 1);
        py::array_t<float> dv({N, D});
        std::copy(m.doc_vectors.begin(), m.doc_vectors.end(), dv.mutable_data());
        d["doc_vectors"] = dv;
    }
    d["corpus_words"] = m.corpus_words;
    d["trained_words"] = m.trained_words;
    d["kernels"] = std::string(m.kernels);
    return d;
}

const W2VKernels& table(const std::string& isa) {
    if (isa == "scalar") return w2v_kernels_scalar();
    if (isa == "avx2") {
        const W2VKernels* t = w2v_kernels_avx2();
        if (!t) throw InvalidArgument("word2vec AVX2 kernels are not available on this machine");
        return *t;
    }
    if (isa == "auto") return w2v_kernels();
    throw InvalidArgument(str("unknown kernel set '", isa, "'"));
}

}  // namespace

void register_word2vec(py::module_& m) {
    m.def("train_word2vec", &train, py::arg("sentences"), py::arg("vector_size"), py::arg("window"),
          py::arg("min_count"), py::arg("negative"), py::arg("epochs"), py::arg("sg"), py::arg("cbow_mean"),
          py::arg("sample"), py::arg("ns_exponent"), py::arg("alpha"), py::arg("min_alpha"), py::arg("workers"),
          py::arg("seed"), py::arg("compute_loss"), py::arg("max_sentence_length"), py::arg("doc_vectors") = false,
          py::arg("dbow_words") = false);
    m.def("w2v_kernels_name", [] { return std::string(w2v_kernels().name); });
    // Test hooks: run one kernel of a given table on numpy inputs (returns new arrays).
    m.def("w2v_dot", [](F32 a, F32 b, const std::string& isa) {
        PYLLM_CHECK(a.size() == b.size(), InvalidArgument, "size mismatch");
        return table(isa).dot(a.data(), b.data(), (int)a.size());
    }, py::arg("a"), py::arg("b"), py::arg("isa"));
    m.def("w2v_axpy", [](float alpha, F32 x, F32 y, const std::string& isa) {
        PYLLM_CHECK(x.size() == y.size(), InvalidArgument, "size mismatch");
        py::array_t<float> out(y.size());
        std::copy(y.data(), y.data() + y.size(), out.mutable_data());
        table(isa).axpy(alpha, x.data(), out.mutable_data(), (int)x.size());
        return out;
    }, py::arg("alpha"), py::arg("x"), py::arg("y"), py::arg("isa"));
    m.def("w2v_sgns_update", [](float g, F32 l, F32 w, F32 e, const std::string& isa) {
        PYLLM_CHECK(l.size() == w.size() && w.size() == e.size(), InvalidArgument, "size mismatch");
        py::array_t<float> w2(w.size()), e2(e.size());
        std::copy(w.data(), w.data() + w.size(), w2.mutable_data());
        std::copy(e.data(), e.data() + e.size(), e2.mutable_data());
        table(isa).sgns_update(g, l.data(), w2.mutable_data(), e2.mutable_data(), (int)l.size());
        return py::make_tuple(w2, e2);
    }, py::arg("g"), py::arg("l"), py::arg("w"), py::arg("e"), py::arg("isa"));
}

}  // namespace pyllm::bindings
