// gguf_metadata.h — typed access to GGUF metadata with errors that name the key.
// Integer getters accept any integer value type whose value fits; float getters accept any number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_reader.h"

namespace pyllm::gguf {

class Metadata {
public:
    explicit Metadata(const File& f) : f_(f) {}

    bool has(std::string_view key) const { return f_.find(key) != nullptr; }

    // Required values: throw FormatError naming the key if missing or of the wrong type.
    uint64_t get_uint(std::string_view key) const;
    int64_t get_int(std::string_view key) const;
    double get_float(std::string_view key) const;
    bool get_bool(std::string_view key) const;
    std::string get_string(std::string_view key) const;

    // Optional values: std::nullopt if missing; still throw if present with the wrong type.
    std::optional<uint64_t> opt_uint(std::string_view key) const;
    std::optional<int64_t> opt_int(std::string_view key) const;
    std::optional<double> opt_float(std::string_view key) const;
    std::optional<bool> opt_bool(std::string_view key) const;
    std::optional<std::string> opt_string(std::string_view key) const;

    // Arrays: throw if missing / wrong element type. Views point into the mapping.
    const std::vector<std::string_view>& get_string_array(std::string_view key) const;
    std::vector<float> get_float_array(std::string_view key) const;
    std::vector<int64_t> get_int_array(std::string_view key) const;
    const Value& get_array(std::string_view key) const;

private:
    const Value& require(std::string_view key) const;
    const File& f_;
};

}  // namespace pyllm::gguf
