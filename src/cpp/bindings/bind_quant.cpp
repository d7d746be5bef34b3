// bind_quant.cpp — test entry points for the quantized kernels: dequantize, quantize_activation,
// matmul on numpy arrays. Glue only (the logic is in quant/ and kernels/).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bindings/bindings.h"
#include "common/error.h"
#include "gguf/gguf_types.h"
#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "quant/repack.h"
#include "quant/blocks.h"
#include "quant/dequantize.h"
#include "quant/quant_ref.h"

namespace pyllm::bindings {

namespace {

using U8Array = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using F32Array = py::array_t<float, py::array::c_style | py::array::forcecast>;

const KernelTable& table_for(const std::optional<std::string>& isa) {
    if (!isa) return kernels();
    const KernelTable* t = kernels_for(parse_isa(*isa));
    if (!t) throw InvalidArgument(str("instruction set '", *isa, "' is not available on this machine"));
    return *t;
}

// One persistent pool per thread count, kept for the life of the process (tests and benchmarks).
ThreadPool& pool_for(int n_threads) {
    static std::mutex mu;
    static std::map<int, std::unique_ptr<ThreadPool>> pools;
    std::lock_guard<std::mutex> lk(mu);
    auto& p = pools[n_threads];
    if (!p) p.reset(new ThreadPool(n_threads));
    return *p;
}

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

// y[n_tokens][n_out] = x[n_tokens][n_in] · Wᵀ, W given as raw bytes of n_out rows of `type`.
py::array_t<float> matmul_py(U8Array weight, const std::string& type, int64_t n_in, int64_t n_out, F32Array x,
                             int n_threads, std::optional<std::string> isa, bool x8) {
    const gguf::TensorType t = parse_type(type);
    PYLLM_CHECK(n_in > 0 && n_out > 0, InvalidArgument, "matmul: n_in and n_out must be positive, got ", n_in, ", ", n_out);
    const uint64_t row = bytes_for(t, n_in, "matmul row");
    PYLLM_CHECK(!x8 || quant::x8_supported(t), NotImplemented, "matmul: no x8 layout for ", type);
    PYLLM_CHECK(n_out <= (int64_t)(UINT64_MAX / row), InvalidArgument, "matmul: too many rows");
    const uint64_t need = x8 ? quant::x8_bytes(t, n_in, n_out) : row * (uint64_t)n_out;
    PYLLM_CHECK((uint64_t)weight.size() == need, InvalidArgument, "matmul: ", n_out, " rows of ", n_in, " ", type,
                " elements need ", need, x8 ? " bytes in the x8 layout" : " bytes", ", got ", weight.size());
    PYLLM_CHECK(x.ndim() == 2 && x.shape(1) == n_in, InvalidArgument, "matmul: x must be [n_tokens, ", n_in, "]");
    PYLLM_CHECK(n_threads >= 1, InvalidArgument, "matmul: n_threads must be >= 1, got ", n_threads);
    const KernelTable& k = table_for(isa);
    ThreadPool& pool = pool_for(n_threads);
    const int64_t n_tokens = x.shape(0);
    py::array_t<float> y({(py::ssize_t)n_tokens, (py::ssize_t)n_out});
    QMatrix w{t, weight.data(), n_in, n_out, x8};
    const float* xp = x.data();
    float* yp = y.mutable_data();
    {
        py::gil_scoped_release nogil;
        matmul(w, xp, yp, n_tokens, pool, k);
    }
    return y;
}

// The x8 layout of n_out rows (repack.h), and back. Both check type and shape the same way and
// return (type, bytes per source row).
std::pair<gguf::TensorType, uint64_t> x8_args(const std::string& type, int64_t n_in, int64_t n_out, const char* fn) {
    const gguf::TensorType t = parse_type(type);
    PYLLM_CHECK(quant::x8_supported(t), NotImplemented, "no x8 layout for weight type ", type);
    PYLLM_CHECK(n_in > 0 && n_out > 0, InvalidArgument, fn, ": n_in and n_out must be positive");
    return {t, bytes_for(t, n_in, (std::string(fn) + " row").c_str())};
}
py::array_t<uint8_t> repack_x8_py(U8Array weight, const std::string& type, int64_t n_in, int64_t n_out) {
    const auto [t, row] = x8_args(type, n_in, n_out, "repack_x8");
    PYLLM_CHECK((uint64_t)weight.size() == row * (uint64_t)n_out, InvalidArgument, "repack_x8: ", n_out, " rows of ",
                n_in, " ", type, " elements need ", row * (uint64_t)n_out, " bytes, got ", weight.size());
    py::array_t<uint8_t> out((py::ssize_t)quant::x8_bytes(t, n_in, n_out));
    quant::repack_x8(t, weight.data(), n_in, n_out, 0, (n_out + 7) / 8, out.mutable_data());
    return out;
}
py::array_t<uint8_t> unrepack_x8_py(U8Array packed, const std::string& type, int64_t n_in, int64_t n_out) {
    const auto [t, row] = x8_args(type, n_in, n_out, "unrepack_x8");
    PYLLM_CHECK((uint64_t)packed.size() == quant::x8_bytes(t, n_in, n_out), InvalidArgument, "unrepack_x8: expected ",
                quant::x8_bytes(t, n_in, n_out), " bytes, got ", packed.size());
    py::array_t<uint8_t> out((py::ssize_t)(row * (uint64_t)n_out));
    quant::unrepack_x8(t, packed.data(), n_in, n_out, out.mutable_data());
    return out;
}

// The activation blocks matmul feeds `weight_type`'s kernels with, for one row x: (act name, bytes).
py::tuple quantize_activation(F32Array x, const std::string& weight_type, std::optional<std::string> isa) {
    const gguf::TensorType t = parse_type(weight_type);
    PYLLM_CHECK(matmul_supports(t), NotImplemented, "no kernels for weight type ", weight_type);
    const KernelTable& k = table_for(isa);
    const TypeKernels& tk = k.q->types[static_cast<uint32_t>(t)];
    const int at = static_cast<int>(tk.act);
    PYLLM_CHECK(at != 0, InvalidArgument, weight_type, " weights take float activations");
    const int64_t n = x.size();
    PYLLM_CHECK(n % kActBlock[at] == 0, InvalidArgument, "quantize_activation: ", n, " is not a multiple of ", kActBlock[at]);
    py::array_t<uint8_t> out((py::ssize_t)(n / kActBlock[at] * kActBlockBytes[at]));
    const float* xp = x.data();
    uint8_t* op = out.mutable_data();
    {
        py::gil_scoped_release nogil;
        k.q->quantize_act[at](xp, op, n);
    }
    return py::make_tuple(at == 1 ? "Q8A" : "Q8K", out);
}

// A float row as GGUF Q8_0 blocks: the KV cache's quantizer (kv_type="q8_0").
py::array_t<uint8_t> quantize_q8_0(F32Array x) {
    const int64_t n = x.size();
    PYLLM_CHECK(n % quant::kQK32 == 0, InvalidArgument, "quantize_q8_0: ", n, " is not a multiple of 32");
    py::array_t<uint8_t> out((py::ssize_t)(n / quant::kQK32 * (int64_t)sizeof(quant::BlockQ8_0)));
    quant::quantize_row_q8_0_ref(x.data(), out.mutable_data(), n);
    return out;
}

// The chunks a pool hands out over [0, n): for_guided(n, align, min_chunk) or, with guided false,
// for_chunks(n, grain = min_chunk), as (begin, end, thread) in claim order per thread (test entry).
std::vector<std::tuple<int64_t, int64_t, int>> pool_chunks(int64_t n, int64_t align, int64_t min_chunk, int n_threads,
                                                           bool guided) {
    PYLLM_CHECK(n >= 0 && align >= 1 && min_chunk >= 1, InvalidArgument,
                "pool_chunks: need n >= 0, align >= 1, min_chunk >= 1");
    ThreadPool& pool = pool_for(n_threads);
    std::mutex mu;
    std::vector<std::tuple<int64_t, int64_t, int>> out;
    thread_local int me = 0;
    pool.run([&](int i, int) { me = i; });  // every pool thread learns its index
    auto record = [&](int64_t b, int64_t e) {
        std::lock_guard<std::mutex> lk(mu);
        out.emplace_back(b, e, me);
    };
    {
        py::gil_scoped_release nogil;
        if (guided) pool.for_guided(n, align, min_chunk, record);
        else pool.for_chunks(n, min_chunk, record);
    }
    return out;
}

py::list matmul_types() {
    py::list l;
    for (uint32_t id = 0; id < gguf::kTensorTypeLimit; ++id) {
        const gguf::TypeTraits& tt = gguf::type_traits(id);
        if (tt.name && matmul_supports(static_cast<gguf::TensorType>(id))) l.append(tt.name);
    }
    return l;
}

}  // namespace

void register_quant(py::module_& m) {
    m.def("dequantize", &dequantize, py::arg("data"), py::arg("type"), py::arg("n"),
          "Dequantize n elements of GGML type `type` (name, e.g. 'Q4_K') from raw bytes to float32.");
    m.def("matmul", &matmul_py, py::arg("weight"), py::arg("type"), py::arg("n_in"), py::arg("n_out"), py::arg("x"),
          py::arg("n_threads") = 1, py::arg("isa") = py::none(), py::arg("x8") = false,
          "y[n_tokens, n_out] = x[n_tokens, n_in] @ W.T for W = n_out rows of raw `type` bytes (test entry point);\n"
          "x8=True: `weight` is in the x8 layout (repack_x8's output).");
    m.def("repack_x8", &repack_x8_py, py::arg("weight"), py::arg("type"), py::arg("n_in"), py::arg("n_out"),
          "n_out rows of raw `type` bytes in the x8 layout (8 rows interleaved; Q4_0 Q4_1 Q5_0 Q4_K).");
    m.def("unrepack_x8", &unrepack_x8_py, py::arg("packed"), py::arg("type"), py::arg("n_in"), py::arg("n_out"),
          "The inverse of repack_x8.");
    m.def("x8_types", [] {
        py::list l;
        for (uint32_t id = 0; id < gguf::kTensorTypeLimit; ++id)
            if (gguf::type_traits(id).name && quant::x8_supported(static_cast<gguf::TensorType>(id)))
                l.append(gguf::type_traits(id).name);
        return l;
    });
    m.def("quantize_activation", &quantize_activation, py::arg("x"), py::arg("weight_type"), py::arg("isa") = py::none(),
          "Quantize a float row to the activation blocks used with `weight_type`: ('Q8A'|'Q8K', bytes).");
    m.def("quantize_q8_0", &quantize_q8_0, py::arg("x"),
          "A float32 row (length a multiple of 32) as GGUF Q8_0 blocks: the quantizer of kv_type='q8_0'.");
    m.def("pool_chunks", &pool_chunks, py::arg("n"), py::arg("align"), py::arg("min_chunk"), py::arg("n_threads"),
          py::arg("guided") = true,
          "Test entry: the (begin, end, thread) chunks a persistent pool splits [0, n) into.");
    m.def("matmul_types", &matmul_types, "Weight type names matmul supports.");
}

}  // namespace pyllm::bindings
