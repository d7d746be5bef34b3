#include "model/weights.h"

#include "common/error.h"
#include "quant/dequantize.h"

namespace pyllm::model {

namespace {

std::string shape_str(const std::vector<uint64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

}  // namespace

QMatrix Binder::matrix(const std::string& name, int64_t n_in, int64_t n_out, bool required) {
    const gguf::TensorInfo* t = f_.find_tensor(name);
    if (!t) {
        PYLLM_CHECK(!required, FormatError, "model is missing tensor '", name, "' (expected shape [", n_in, ", ", n_out,
                    "] in GGUF order)");
        return QMatrix{gguf::TensorType::F32, nullptr, n_in, n_out};
    }
    bool ok = t->ne.size() == 2 && (int64_t)t->ne[0] == n_in && (int64_t)t->ne[1] == n_out;
    // A trailing dimension of 1 is the same matrix.
    if (!ok && t->ne.size() > 2) {
        ok = (int64_t)t->ne[0] == n_in && (int64_t)t->ne[1] == n_out;
        for (size_t i = 2; i < t->ne.size(); ++i) ok = ok && t->ne[i] == 1;
    }
    PYLLM_CHECK(ok, FormatError, "tensor '", name, "' has shape ", shape_str(t->ne), ", expected [", n_in, ", ", n_out,
                "] (GGUF order: row length first)");
    const gguf::TypeTraits& tt = gguf::type_traits(t->type);
    PYLLM_CHECK(tt.name && tt.block_size > 0 && n_in % tt.block_size == 0, FormatError, "tensor '", name,
                "': row length ", n_in, " is not a multiple of the ", tt.name ? tt.name : "?", " block size");
    matrix_bytes_ += t->nbytes;
    return QMatrix{t->type, f_.tensor_data(*t), n_in, n_out};
}

Vec Binder::vector(const std::string& name, int64_t n, bool required) {
    const gguf::TensorInfo* t = f_.find_tensor(name);
    if (!t) {
        PYLLM_CHECK(!required, FormatError, "model is missing tensor '", name, "' (expected shape [", n, "])");
        return {};
    }
    bool ok = !t->ne.empty() && (int64_t)t->ne[0] == n;
    for (size_t i = 1; i < t->ne.size(); ++i) ok = ok && t->ne[i] == 1;
    PYLLM_CHECK(ok, FormatError, "tensor '", name, "' has shape ", shape_str(t->ne), ", expected [", n, "]");
    PYLLM_CHECK(can_dequantize(t->type), UnsupportedError, "tensor '", name, "' has type ",
                gguf::type_traits(t->type).name, ", which pyllm cannot read for a vector");
    Vec v((size_t)n);
    dequantize_to_f32(t->type, f_.tensor_data(*t), v.data(), (uint64_t)n);
    return v;
}

}  // namespace pyllm::model
