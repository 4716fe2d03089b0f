// A minimal JSON reader for the kafka-python cross-check's output: objects,
// arrays, strings without escapes, integers, true/false/null. Enough for the
// canonical lines kafka_python_batches.py prints, and nothing more.
#ifndef RILL_TESTS_RECORD_JSON_LINES_H_
#define RILL_TESTS_RECORD_JSON_LINES_H_

#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rill::record::testing {

struct Json {
  enum class Type { kNull, kBool, kInt, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  int64_t integer = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  bool is_null() const { return type == Type::kNull; }
  // at returns the member `key` (a null Json when absent).
  const Json& at(const std::string& key) const {
    static const Json kNull;
    auto it = object.find(key);
    return it == object.end() ? kNull : it->second;
  }
  // nullable_string returns the string, or nullopt for null.
  std::optional<std::string> nullable_string() const {
    if (is_null()) return std::nullopt;
    return string;
  }
};

// ParseJson parses one JSON value; nullopt if it is not the subset above.
class JsonParser {
 public:
  static std::optional<Json> Parse(std::string_view text) {
    JsonParser p(text);
    std::optional<Json> v = p.Value();
    p.SkipSpace();
    if (!v || p.pos_ != text.size()) return std::nullopt;
    return v;
  }

 private:
  explicit JsonParser(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  std::optional<std::string> String() {
    if (!Eat('"')) return std::nullopt;
    const size_t end = text_.find('"', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string s(text_.substr(pos_, end - pos_));
    if (s.find('\\') != std::string::npos) return std::nullopt;
    pos_ = end + 1;
    return s;
  }
  std::optional<Json> Value() {
    SkipSpace();
    if (pos_ >= text_.size()) return std::nullopt;
    Json v;
    const char c = text_[pos_];
    if (c == '"') {
      std::optional<std::string> s = String();
      if (!s) return std::nullopt;
      v.type = Json::Type::kString;
      v.string = *s;
    } else if (c == '[') {
      ++pos_;
      v.type = Json::Type::kArray;
      if (Eat(']')) return v;
      do {
        std::optional<Json> item = Value();
        if (!item) return std::nullopt;
        v.array.push_back(*item);
      } while (Eat(','));
      if (!Eat(']')) return std::nullopt;
    } else if (c == '{') {
      ++pos_;
      v.type = Json::Type::kObject;
      if (Eat('}')) return v;
      do {
        std::optional<std::string> key = String();
        if (!key || !Eat(':')) return std::nullopt;
        std::optional<Json> item = Value();
        if (!item) return std::nullopt;
        v.object[*key] = *item;
      } while (Eat(','));
      if (!Eat('}')) return std::nullopt;
    } else if (EatWord("null")) {
      v.type = Json::Type::kNull;
    } else if (EatWord("true")) {
      v.type = Json::Type::kBool;
      v.boolean = true;
    } else if (EatWord("false")) {
      v.type = Json::Type::kBool;
    } else {
      const size_t start = pos_;
      if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        ++pos_;
      if (pos_ == start) return std::nullopt;
      v.type = Json::Type::kInt;
      const auto [end, ec] =
          std::from_chars(text_.data() + start, text_.data() + pos_, v.integer);
      if (ec != std::errc() || end != text_.data() + pos_) return std::nullopt;
    }
    return v;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace rill::record::testing

#endif  // RILL_TESTS_RECORD_JSON_LINES_H_
