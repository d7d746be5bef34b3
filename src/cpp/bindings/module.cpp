// module.cpp — the pyllm._core extension: exception translation and register_*() calls only.
#include <Python.h>

#include "bindings/bindings.h"
#include "common/error.h"
#include "kernels/dispatch.h"

namespace py = pybind11;

namespace {

// Map C++ exceptions to the Python classes in pyllm/errors.py (imported lazily, so _core itself
// has no import-time dependency on the package).
void set_pyllm_error(const char* cls, const char* what) {
    try {
        py::object exc = py::module_::import("pyllm.errors").attr(cls);
        PyErr_SetString(exc.ptr(), what);
    } catch (py::error_already_set&) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, what);
    }
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "pyllm's native core (private; use the pyllm package)";

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const pyllm::FormatError& e) {
            set_pyllm_error("GGUFError", e.what());
        } catch (const pyllm::UnsupportedError& e) {
            set_pyllm_error("UnsupportedModelError", e.what());
        } catch (const pyllm::InvalidArgument& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        } catch (const pyllm::OutOfRange& e) {
            PyErr_SetString(PyExc_IndexError, e.what());
        } catch (const pyllm::NotImplemented& e) {
            PyErr_SetString(PyExc_NotImplementedError, e.what());
        } catch (const pyllm::IOError& e) {
            py::object args = py::make_tuple(e.errno_value, e.what());
            PyErr_SetObject(PyExc_OSError, args.ptr());
        } catch (const pyllm::Error& e) {
            PyErr_SetString(PyExc_RuntimeError, e.what());
        } catch (const std::bad_alloc&) {
            PyErr_SetString(PyExc_MemoryError, "pyllm: out of memory");
        }
    });

    pyllm::bindings::register_kernels(m);
    pyllm::bindings::register_gguf(m);
    py::module_ classic = m.def_submodule("classic", "classical baselines (pyllm.classic)");
    pyllm::bindings::register_vectorizers(classic);
    pyllm::bindings::register_ngram_lm(classic);
    pyllm::bindings::register_word2vec(classic);
    pyllm::bindings::register_engine(m);
    pyllm::bindings::register_quant(m);
    pyllm::bindings::register_tokenizer(m);
    pyllm::bindings::register_generate(m);
}
