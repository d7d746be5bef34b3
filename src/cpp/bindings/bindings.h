// bindings.h — the register_*() functions module.cpp calls, and shared binding helpers. Glue only.
#pragma once

#include <pybind11/pybind11.h>

#include <string_view>

namespace pyllm::bindings {

namespace py = pybind11;

void register_kernels(py::module_& m);
void register_gguf(py::module_& m);
// pyllm._core.classic (bag of words / TF-IDF, n-gram LM, word2vec)
void register_vectorizers(py::module_& m);
void register_ngram_lm(py::module_& m);
void register_word2vec(py::module_& m);
void register_engine(py::module_& m);
void register_quant(py::module_& m);
void register_tokenizer(py::module_& m);
void register_generate(py::module_& m);

// UTF-8 bytes -> str; invalid bytes become lone surrogates (surrogateescape), so nothing raises
// and the original bytes can be recovered with .encode('utf-8', 'surrogateescape').
py::str to_py_str(std::string_view s);
// The inverse: str -> UTF-8 bytes with surrogateescape (bytes are taken as they are).
std::string from_py_str(py::handle s);

}  // namespace pyllm::bindings
