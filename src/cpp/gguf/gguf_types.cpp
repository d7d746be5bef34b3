#include "gguf/gguf_types.h"

#include <cstring>

namespace pyllm::gguf {

const char* value_type_name(ValueType t) {
    static const char* names[kValueTypeCount] = {"UINT8", "INT8",   "UINT16", "INT16", "UINT32",
                                                 "INT32", "FLOAT32", "BOOL",  "STRING", "ARRAY",
                                                 "UINT64", "INT64", "FLOAT64"};
    uint32_t i = static_cast<uint32_t>(t);
    return i < kValueTypeCount ? names[i] : "?";
}

size_t value_type_size(ValueType t) {
    switch (t) {
        case ValueType::UINT8: case ValueType::INT8: case ValueType::BOOL: return 1;
        case ValueType::UINT16: case ValueType::INT16: return 2;
        case ValueType::UINT32: case ValueType::INT32: case ValueType::FLOAT32: return 4;
        case ValueType::UINT64: case ValueType::INT64: case ValueType::FLOAT64: return 8;
        default: return 0;
    }
}

namespace {
struct Table {
    TypeTraits t[kTensorTypeLimit];
    Table() {
        for (auto& x : t) x = {nullptr, 0, 0};
        auto set = [&](TensorType id, const char* n, uint32_t bs, uint32_t ts) {
            t[static_cast<uint32_t>(id)] = {n, bs, ts};
        };
        set(TensorType::F32, "F32", 1, 4);
        set(TensorType::F16, "F16", 1, 2);
        set(TensorType::Q4_0, "Q4_0", 32, 18);
        set(TensorType::Q4_1, "Q4_1", 32, 20);
        set(TensorType::Q5_0, "Q5_0", 32, 22);
        set(TensorType::Q5_1, "Q5_1", 32, 24);
        set(TensorType::Q8_0, "Q8_0", 32, 34);
        set(TensorType::Q8_1, "Q8_1", 32, 40);
        set(TensorType::Q2_K, "Q2_K", 256, 84);
        set(TensorType::Q3_K, "Q3_K", 256, 110);
        set(TensorType::Q4_K, "Q4_K", 256, 144);
        set(TensorType::Q5_K, "Q5_K", 256, 176);
        set(TensorType::Q6_K, "Q6_K", 256, 210);
        set(TensorType::Q8_K, "Q8_K", 256, 292);
        set(TensorType::IQ2_XXS, "IQ2_XXS", 256, 66);
        set(TensorType::IQ2_XS, "IQ2_XS", 256, 74);
        set(TensorType::IQ3_XXS, "IQ3_XXS", 256, 98);
        set(TensorType::IQ1_S, "IQ1_S", 256, 50);
        set(TensorType::IQ4_NL, "IQ4_NL", 32, 18);
        set(TensorType::IQ3_S, "IQ3_S", 256, 110);
        set(TensorType::IQ2_S, "IQ2_S", 256, 82);
        set(TensorType::IQ4_XS, "IQ4_XS", 256, 136);
        set(TensorType::I8, "I8", 1, 1);
        set(TensorType::I16, "I16", 1, 2);
        set(TensorType::I32, "I32", 1, 4);
        set(TensorType::I64, "I64", 1, 8);
        set(TensorType::F64, "F64", 1, 8);
        set(TensorType::IQ1_M, "IQ1_M", 256, 56);
        set(TensorType::BF16, "BF16", 1, 2);
        set(TensorType::TQ1_0, "TQ1_0", 256, 54);
        set(TensorType::TQ2_0, "TQ2_0", 256, 66);
        set(TensorType::MXFP4, "MXFP4", 32, 17);
    }
};
const Table& table() {
    static const Table tb;
    return tb;
}
}  // namespace

const TypeTraits& type_traits(uint32_t id) {
    static const TypeTraits none = {nullptr, 0, 0};
    return id < kTensorTypeLimit ? table().t[id] : none;
}

bool type_from_name(const std::string& name, TensorType* out) {
    for (uint32_t i = 0; i < kTensorTypeLimit; ++i) {
        const TypeTraits& tt = table().t[i];
        if (tt.name && name == tt.name) {
            *out = static_cast<TensorType>(i);
            return true;
        }
    }
    return false;
}

}  // namespace pyllm::gguf
