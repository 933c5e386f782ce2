// "Did you mean": the candidates closest to a misspelt name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::lang {

// Candidates within an edit distance of max(1, len/3), best first, at most three.
std::vector<std::string> Suggest(std::string_view name, const std::vector<std::string_view>& candidates);

// " (did you mean 'a' or 'b'?)", or "" when there is nothing close.
std::string DidYouMean(const std::vector<std::string>& suggestions);

}  // namespace vigil::lang
