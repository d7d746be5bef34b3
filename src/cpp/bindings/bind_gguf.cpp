// bind_gguf.cpp — pyllm._core.GGUFFile: metadata, tensor table, tensors as numpy. Glue only.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings/bindings.h"
#include "common/error.h"
#include "gguf/gguf_reader.h"
#include "quant/dequantize.h"

namespace pyllm::bindings {

py::str to_py_str(std::string_view s) {
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), (Py_ssize_t)s.size(), "surrogateescape");
    if (!o) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(o);
}

std::string from_py_str(py::handle s) {
    if (PyBytes_Check(s.ptr())) return std::string(PyBytes_AS_STRING(s.ptr()), (size_t)PyBytes_GET_SIZE(s.ptr()));
    if (!PyUnicode_Check(s.ptr())) throw py::type_error("expected str or bytes");
    PyObject* b = PyUnicode_AsEncodedString(s.ptr(), "utf-8", "surrogateescape");
    if (!b) throw py::error_already_set();
    std::string out(PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    return out;
}

namespace {

using gguf::File;
using gguf::Value;
using gguf::ValueType;

py::object scalar_to_py(const Value& v) {
    switch (v.type) {
        case ValueType::UINT8: case ValueType::UINT16: case ValueType::UINT32: case ValueType::UINT64:
            return py::int_(v.num.u);
        case ValueType::INT8: case ValueType::INT16: case ValueType::INT32: case ValueType::INT64:
            return py::int_(v.num.i);
        case ValueType::FLOAT32: case ValueType::FLOAT64: return py::float_(v.num.f);
        case ValueType::BOOL: return py::bool_(v.num.u != 0);
        case ValueType::STRING: return to_py_str(v.str);
        default: break;
    }
    return py::none();
}

py::object value_to_py(const Value& v) {
    if (v.type != ValueType::ARRAY) return scalar_to_py(v);
    py::list out((size_t)v.count);
    switch (v.elem_type) {
        case ValueType::STRING:
            for (size_t i = 0; i < v.strs.size(); ++i) out[i] = to_py_str(v.strs[i]);
            break;
        case ValueType::ARRAY:
            for (size_t i = 0; i < v.items.size(); ++i) out[i] = value_to_py(v.items[i]);
            break;
        case ValueType::FLOAT32: case ValueType::FLOAT64:
            for (uint64_t i = 0; i < v.count; ++i) out[i] = py::float_(v.array_f64(i));
            break;
        case ValueType::BOOL:
            for (uint64_t i = 0; i < v.count; ++i) out[i] = py::bool_(v.array_u64(i) != 0);
            break;
        case ValueType::INT8: case ValueType::INT16: case ValueType::INT32: case ValueType::INT64:
            for (uint64_t i = 0; i < v.count; ++i) out[i] = py::int_(v.array_i64(i));
            break;
        default:
            for (uint64_t i = 0; i < v.count; ++i) out[i] = py::int_(v.array_u64(i));
            break;
    }
    return out;
}

// "UINT32", "ARRAY[STRING]", "ARRAY[ARRAY[INT32]]" (nested element type from the first item).
std::string type_string(const Value& v) {
    if (v.type != ValueType::ARRAY) return gguf::value_type_name(v.type);
    if (v.elem_type == ValueType::ARRAY)
        return std::string("ARRAY[") + (v.items.empty() ? std::string("ARRAY") : type_string(v.items[0])) + "]";
    return std::string("ARRAY[") + gguf::value_type_name(v.elem_type) + "]";
}

const gguf::TensorInfo& require_tensor(const File& f, const std::string& name) {
    const gguf::TensorInfo* t = f.find_tensor(name);
    if (!t) throw py::key_error(str("no tensor named '", name, "' in '", f.path(), "'"));
    return *t;
}

std::vector<py::ssize_t> numpy_shape(const gguf::TensorInfo& t) {
    return std::vector<py::ssize_t>(t.ne.rbegin(), t.ne.rend());  // numpy order: slowest first
}

// A read-only numpy view of bytes inside the mapping; the array holds a reference to the File so
// the mapping outlives GGUFFile.close().
template <typename T>
py::array readonly_view(const std::shared_ptr<File>& f, std::vector<py::ssize_t> shape, const uint8_t* data) {
    auto* keep = new std::shared_ptr<File>(f);
    py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<File>*>(p); });
    py::array a(py::dtype::of<T>(), std::move(shape), data, base);
    a.attr("setflags")(py::arg("write") = false);
    return a;
}

// The tensor as float32. F32 is a read-only zero-copy view that keeps the mapping alive.
py::array tensor_f32(const std::shared_ptr<File>& f, py::handle py_name) {
    const std::string name = from_py_str(py_name);
    const gguf::TensorInfo& t = require_tensor(*f, name);
    if (t.type == gguf::TensorType::F32) return readonly_view<float>(f, numpy_shape(t), f->tensor_data(t));
    if (!can_dequantize(t.type))
        throw NotImplemented(str("tensor '", name, "' has type ", gguf::type_traits(t.type).name,
                                 ", which pyllm cannot dequantize yet"));
    py::array_t<float> out(numpy_shape(t));
    float* dst = out.mutable_data();
    const uint8_t* src = f->tensor_data(t);
    {
        py::gil_scoped_release nogil;
        dequantize_to_f32(t.type, src, dst, t.n_elements);
    }
    return out;
}

// The tensor's raw bytes (any type), read-only, zero-copy.
py::array tensor_bytes(const std::shared_ptr<File>& f, py::handle py_name) {
    const std::string name = from_py_str(py_name);
    const gguf::TensorInfo& t = require_tensor(*f, name);
    return readonly_view<uint8_t>(f, {(py::ssize_t)t.nbytes}, f->tensor_data(t));
}

}  // namespace

void register_gguf(py::module_& m) {
    py::class_<File, std::shared_ptr<File>>(m, "GGUFFile")
        .def(py::init([](const std::string& path) {
                 py::gil_scoped_release nogil;
                 return File::open(path);
             }),
             py::arg("path"))
        .def_property_readonly("path", &File::path)
        .def_property_readonly("version", &File::version)
        .def_property_readonly("alignment", &File::alignment)
        .def_property_readonly("data_offset", &File::data_offset)
        .def_property_readonly("file_size", &File::file_size)
        .def("metadata", [](const File& f) {
            py::dict d;
            for (const auto& kv : f.kvs()) d[to_py_str(kv.key)] = value_to_py(kv.value);
            return d;
        })
        .def("metadata_types", [](const File& f) {
            py::dict d;
            for (const auto& kv : f.kvs()) d[to_py_str(kv.key)] = type_string(kv.value);
            return d;
        })
        .def("get", [](const File& f, py::handle key) -> py::object {
            const Value* v = f.find(from_py_str(key));
            return v ? value_to_py(*v) : py::none();
        }, py::arg("key"))
        // [(name, type_name, numpy_shape, absolute_offset, nbytes), ...] in file order
        .def("tensor_infos", [](const File& f) {
            py::list l;
            for (const auto& t : f.tensors())
                l.append(py::make_tuple(to_py_str(t.name), gguf::type_traits(t.type).name,
                                        py::tuple(py::cast(numpy_shape(t))), f.data_offset() + t.offset, t.nbytes));
            return l;
        })
        .def("tensor", &tensor_f32, py::arg("name"))
        .def("tensor_bytes", &tensor_bytes, py::arg("name"));
}

}  // namespace pyllm::bindings
