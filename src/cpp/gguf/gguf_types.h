// gguf_types.h — GGUF value types and GGML tensor types with their block geometry.
// Numbering follows the GGUF specification (public): value types 0..12, tensor types as listed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pyllm::gguf {

// Metadata value types (GGUF spec).
enum class ValueType : uint32_t {
    UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
    BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};
constexpr uint32_t kValueTypeCount = 13;

const char* value_type_name(ValueType t);
// Size in bytes of a fixed-size value type; 0 for STRING and ARRAY.
size_t value_type_size(ValueType t);

// GGML tensor element types. Gaps (4, 5, 31-33, 36-38) are removed types, rejected on read.
enum class TensorType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39,
};
constexpr uint32_t kTensorTypeLimit = 40;  // ids are < this

struct TypeTraits {
    const char* name;     // "Q4_K"; nullptr for ids that are not (or no longer) types
    uint32_t block_size;  // elements per block
    uint32_t type_size;   // bytes per block
};

// Traits of a type id; name == nullptr if the id is unknown or removed.
const TypeTraits& type_traits(uint32_t id);
inline const TypeTraits& type_traits(TensorType t) { return type_traits(static_cast<uint32_t>(t)); }
inline const char* type_name(TensorType t) { return type_traits(t).name; }
// Lookup by name ("Q4_K"); returns false if unknown.
bool type_from_name(const std::string& name, TensorType* out);

}  // namespace pyllm::gguf
