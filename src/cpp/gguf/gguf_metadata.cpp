#include "gguf/gguf_metadata.h"

#include <cmath>

#include "common/error.h"

namespace pyllm::gguf {

namespace {
bool is_unsigned(ValueType t) {
    return t == ValueType::UINT8 || t == ValueType::UINT16 || t == ValueType::UINT32 || t == ValueType::UINT64;
}
bool is_signed(ValueType t) {
    return t == ValueType::INT8 || t == ValueType::INT16 || t == ValueType::INT32 || t == ValueType::INT64;
}
bool is_float(ValueType t) { return t == ValueType::FLOAT32 || t == ValueType::FLOAT64; }

[[noreturn]] void wrong_type(const File& f, std::string_view key, ValueType got, const char* want) {
    throw FormatError(str("GGUF file '", f.path(), "': key '", key, "' has type ", value_type_name(got),
                          ", expected ", want));
}
}  // namespace

const Value& Metadata::require(std::string_view key) const {
    const Value* v = f_.find(key);
    if (!v) throw FormatError(str("GGUF file '", f_.path(), "' lacks the required key '", key, "'"));
    return *v;
}

std::optional<uint64_t> Metadata::opt_uint(std::string_view key) const {
    const Value* v = f_.find(key);
    if (!v) return std::nullopt;
    if (is_unsigned(v->type)) return v->num.u;
    if (is_signed(v->type)) {
        if (v->num.i < 0)
            throw FormatError(str("GGUF file '", f_.path(), "': key '", key, "' = ", v->num.i, " must not be negative"));
        return (uint64_t)v->num.i;
    }
    wrong_type(f_, key, v->type, "an unsigned integer");
}

std::optional<int64_t> Metadata::opt_int(std::string_view key) const {
    const Value* v = f_.find(key);
    if (!v) return std::nullopt;
    if (is_signed(v->type)) return v->num.i;
    if (is_unsigned(v->type)) {
        if (v->num.u > (uint64_t)INT64_MAX)
            throw FormatError(str("GGUF file '", f_.path(), "': key '", key, "' = ", v->num.u, " is out of range"));
        return (int64_t)v->num.u;
    }
    wrong_type(f_, key, v->type, "an integer");
}

std::optional<double> Metadata::opt_float(std::string_view key) const {
    const Value* v = f_.find(key);
    if (!v) return std::nullopt;
    if (is_float(v->type)) return v->num.f;
    if (is_signed(v->type)) return (double)v->num.i;
    if (is_unsigned(v->type)) return (double)v->num.u;
    wrong_type(f_, key, v->type, "a number");
}

std::optional<bool> Metadata::opt_bool(std::string_view key) const {
    const Value* v = f_.find(key);
    if (!v) return std::nullopt;
    if (v->type != ValueType::BOOL) wrong_type(f_, key, v->type, "BOOL");
    return v->num.u != 0;
}

std::optional<std::string> Metadata::opt_string(std::string_view key) const {
    const Value* v = f_.find(key);
    if (!v) return std::nullopt;
    if (v->type != ValueType::STRING) wrong_type(f_, key, v->type, "STRING");
    return std::string(v->str);
}

uint64_t Metadata::get_uint(std::string_view key) const { require(key); return *opt_uint(key); }
int64_t Metadata::get_int(std::string_view key) const { require(key); return *opt_int(key); }
double Metadata::get_float(std::string_view key) const { require(key); return *opt_float(key); }
bool Metadata::get_bool(std::string_view key) const { require(key); return *opt_bool(key); }
std::string Metadata::get_string(std::string_view key) const { require(key); return *opt_string(key); }

const Value& Metadata::get_array(std::string_view key) const {
    const Value& v = require(key);
    if (v.type != ValueType::ARRAY) wrong_type(f_, key, v.type, "ARRAY");
    return v;
}

const std::vector<std::string_view>& Metadata::get_string_array(std::string_view key) const {
    const Value& v = get_array(key);
    if (v.elem_type != ValueType::STRING)
        throw FormatError(str("GGUF file '", f_.path(), "': key '", key, "' is an array of ",
                              value_type_name(v.elem_type), ", expected an array of STRING"));
    return v.strs;
}

std::vector<float> Metadata::get_float_array(std::string_view key) const {
    const Value& v = get_array(key);
    if (!is_float(v.elem_type) && !is_signed(v.elem_type) && !is_unsigned(v.elem_type))
        throw FormatError(str("GGUF file '", f_.path(), "': key '", key, "' is an array of ",
                              value_type_name(v.elem_type), ", expected numbers"));
    std::vector<float> out((size_t)v.count);
    for (uint64_t i = 0; i < v.count; ++i) out[i] = (float)v.array_f64(i);
    return out;
}

std::vector<int64_t> Metadata::get_int_array(std::string_view key) const {
    const Value& v = get_array(key);
    if (!is_signed(v.elem_type) && !is_unsigned(v.elem_type))
        throw FormatError(str("GGUF file '", f_.path(), "': key '", key, "' is an array of ",
                              value_type_name(v.elem_type), ", expected integers"));
    std::vector<int64_t> out((size_t)v.count);
    for (uint64_t i = 0; i < v.count; ++i) out[i] = v.array_i64(i);
    return out;
}

}  // namespace pyllm::gguf
