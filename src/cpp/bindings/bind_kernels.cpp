// bind_kernels.cpp — cpu_info() and test entry points for the dispatched kernels. Glue only.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "bindings/bindings.h"
#include "common/error.h"
#include "engine/ffn_kernels.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/peak.h"

namespace pyllm::bindings {

namespace {

const KernelTable& table_for(const std::optional<std::string>& isa) {
    if (!isa) return kernels();
    Isa level = parse_isa(*isa);
    const KernelTable* t = kernels_for(level);
    if (!t) throw InvalidArgument(str("instruction set '", *isa, "' is not available on this machine"));
    return *t;
}

using F32Array = py::array_t<float, py::array::c_style | py::array::forcecast>;
using U16Array = py::array_t<uint16_t, py::array::c_style | py::array::forcecast>;

py::dict cpu_info() {
    const CpuFeatures& f = cpu_features();
    py::dict flags;
    flags["sse4_2"] = f.sse42; flags["avx"] = f.avx; flags["avx2"] = f.avx2; flags["fma"] = f.fma;
    flags["f16c"] = f.f16c; flags["bmi2"] = f.bmi2; flags["avx512f"] = f.avx512f;
    flags["avx512bw"] = f.avx512bw; flags["avx512vl"] = f.avx512vl; flags["avx512dq"] = f.avx512dq;
    flags["avx512_vnni"] = f.avx512vnni; flags["avx512_bf16"] = f.avx512bf16; flags["avx_vnni"] = f.avxvnni;
    py::list avail;
    for (Isa i : available_isas()) avail.append(isa_name(i));
    py::dict d;
    d["isa"] = isa_name(kernels().isa);
    d["available_isas"] = avail;
    d["features"] = flags;
    d["os_avx"] = f.os_avx;
    d["os_avx512"] = f.os_avx512;
    d["vendor"] = f.vendor;
    d["brand"] = f.brand;
    d["physical_cores"] = f.physical_cores;
    d["logical_cpus"] = f.logical_cpus;
    d["dispatch_warning"] = dispatch_warning();
    py::list vnni;  // the available levels whose kernels use vpdpbusd
    for (Isa i : available_isas())
        if (const KernelTable* t = kernels_for(i); t && t->q && t->q->vnni) vnni.append(isa_name(i));
    d["vnni_isas"] = vnni;
    return d;
}

// y = convert(x), same shape, through one of the table's element-wise conversions (f16_to_f32,
// bf16_to_f32: In = uint16_t, Out = float; f32_to_f16: the reverse).
template <class In, class Out>
py::array_t<Out> convert(py::array_t<In, py::array::c_style | py::array::forcecast> x, void (*fn)(const In*, Out*, size_t)) {
    py::array_t<Out> y(x.request().shape);
    const In* src = x.data();
    Out* dst = y.mutable_data();
    const size_t n = (size_t)x.size();
    {
        py::gil_scoped_release nogil;
        fn(src, dst, n);
    }
    return y;
}

float dot_f32(F32Array a, F32Array b, std::optional<std::string> isa) {
    const KernelTable& k = table_for(isa);
    if (a.ndim() != 1 || b.ndim() != 1 || a.size() != b.size())
        throw InvalidArgument(str("dot_f32 needs two 1-D arrays of equal length, got sizes ", a.size(), " and ", b.size()));
    py::gil_scoped_release nogil;
    return k.dot_f32(a.data(), b.data(), (size_t)a.size());
}

// kind(gate) * up element-wise (up absent: kind(gate)) through the engine's FFN kernels of a level.
py::array_t<float> ffn_activation(F32Array gate, const std::string& kind, std::optional<F32Array> up,
                                  std::optional<std::string> isa) {
    const engine::FfnKernels* fk = &engine::ffn_kernels();
    if (isa) {
        const Isa level = parse_isa(*isa);
        if (!kernels_for(level)) throw InvalidArgument(str("instruction set '", *isa, "' is not available on this machine"));
        fk = level == Isa::Scalar ? &engine::ffn_kernels_scalar() : engine::ffn_kernels_avx2();
        if (!fk) fk = &engine::ffn_kernels_scalar();
    }
    if (kind != "silu" && kind != "gelu") throw InvalidArgument(str("ffn_activation: kind must be 'silu' or 'gelu', got '", kind, "'"));
    if (up && up->size() != gate.size())
        throw InvalidArgument(str("ffn_activation: gate has ", gate.size(), " elements, up ", up->size()));
    if (kind == "silu" && !up) throw InvalidArgument("ffn_activation: silu needs up");
    py::array_t<float> y(gate.request().shape);
    std::copy(gate.data(), gate.data() + gate.size(), y.mutable_data());
    float* dst = y.mutable_data();
    const float* u = up ? up->data() : nullptr;
    const int64_t n = (int64_t)gate.size();
    py::gil_scoped_release nogil;
    (kind == "silu" ? fk->silu_mul : fk->gelu_mul)(dst, u, n);
    return y;
}

}  // namespace

void register_kernels(py::module_& m) {
    kernels();  // choose the ISA at import: a bad PYLLM_ISA fails the import with its message
    m.def("cpu_info", &cpu_info, "Detected CPU features, the chosen kernel ISA and core counts.");
    m.def("available_isas", [] {
        py::list l;
        for (Isa i : available_isas()) l.append(isa_name(i));
        return l;
    });
    m.def("f16_to_f32", [](U16Array x, std::optional<std::string> isa) { return convert(x, table_for(isa).f16_to_f32); },
          py::arg("x"), py::arg("isa") = py::none());
    m.def("bf16_to_f32", [](U16Array x, std::optional<std::string> isa) { return convert(x, table_for(isa).bf16_to_f32); },
          py::arg("x"), py::arg("isa") = py::none());
    m.def("f32_to_f16", [](F32Array x, std::optional<std::string> isa) { return convert(x, table_for(isa).f32_to_f16); },
          py::arg("x"), py::arg("isa") = py::none());
    m.def("dot_f32", &dot_f32, py::arg("a"), py::arg("b"), py::arg("isa") = py::none());
    m.def(
        "argmax_f32",
        [](F32Array x, std::optional<std::string> isa) {
            PYLLM_CHECK(x.size() >= 1, InvalidArgument, "argmax_f32: empty array");
            return (int64_t)table_for(isa).argmax_f32(x.data(), (size_t)x.size());
        },
        py::arg("x"), py::arg("isa") = py::none(),
        "Test entry: the first index of the largest element (NaNs skipped; 0 if all are NaN).");
    m.def(
        "first_above_f32",
        [](F32Array x, float t, std::optional<std::string> isa) {
            return (int64_t)table_for(isa).first_above_f32(x.data(), (size_t)x.size(), t);
        },
        py::arg("x"), py::arg("t"), py::arg("isa") = py::none(),
        "Test entry: the first index i with x[i] > t, or len(x).");
    m.def(
        "simd_peak",
        [](const std::string& kind, int64_t iters) {
            PeakKind k;
            if (kind == "int8") k = PeakKind::Int8Pair;
            else if (kind == "f32") k = PeakKind::F32Fma;
            else throw InvalidArgument(str("unknown peak kind '", kind, "' (valid: int8, f32)"));
            py::gil_scoped_release nogil;
            simd_peak_run(k, iters);
            return (int64_t)iters * kPeakOpsPerIter[static_cast<int>(k)];
        },
        py::arg("kind"), py::arg("iters"),
        "Run the arithmetic-ceiling loop of `kind` (int8: maddubs + add16, f32: FMA) for `iters` iterations; "
        "returns the ops performed (benchmarks/bench_kernels.py times it).");
    m.def("ffn_activation", &ffn_activation, py::arg("gate"), py::arg("kind"), py::arg("up") = py::none(),
          py::arg("isa") = py::none());
}

}  // namespace pyllm::bindings
