// bind_quant.cpp — test entry points for the quantized kernels: dequantize, quantize_activation,
// matmul on numpy arrays. Glue only (the logic is in quant/ and kernels/).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "bindings/bindings.h"
#include "common/error.h"
#include "gguf/gguf_types.h"
#include "quant/dequantize.h"

namespace pyllm::bindings {

namespace {

using U8Array = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;

gguf::TensorType parse_type(const std::string& name) {
    gguf::TensorType t;
    if (!gguf::type_from_name(name, &t)) throw InvalidArgument(str("unknown tensor type '", name, "'"));
    return t;
}

// Bytes of n elements of type t; throws if n is not whole blocks.
uint64_t bytes_for(gguf::TensorType t, int64_t n, const char* what) {
    const gguf::TypeTraits& tt = gguf::type_traits(t);
    PYLLM_CHECK(n >= 0 && n % tt.block_size == 0, InvalidArgument, what, ": ", n,
                " elements is not a whole number of ", tt.name, " blocks of ", tt.block_size);
    return (uint64_t)(n / tt.block_size) * tt.type_size;
}

py::array_t<float> dequantize(U8Array data, const std::string& type, int64_t n) {
    const gguf::TensorType t = parse_type(type);
    const uint64_t need = bytes_for(t, n, "dequantize");
    PYLLM_CHECK((uint64_t)data.size() >= need, InvalidArgument, "dequantize: ", n, " ", type,
                " elements need ", need, " bytes, got ", data.size());
    PYLLM_CHECK(can_dequantize(t), NotImplemented, "dequantizing ", type, " is not supported");
    py::array_t<float> out((py::ssize_t)n);
    const uint8_t* src = data.data();
    float* dst = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        dequantize_to_f32(t, src, dst, (uint64_t)n);
    }
    return out;
}

}  // namespace

void register_quant(py::module_& m) {
    m.def("dequantize", &dequantize, py::arg("data"), py::arg("type"), py::arg("n"),
          "Dequantize n elements of GGML type `type` (name, e.g. 'Q4_K') from raw bytes to float32.");
}

}  // namespace pyllm::bindings
