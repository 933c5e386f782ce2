// LineReader against std::getline: the same lines for every input and block size, including
// lines longer than the buffer, a last line without a newline, empty lines and NUL bytes.
#include "output/line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::output {
namespace {

std::vector<std::string> GetlineLines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `text` through a temporary file and a LineReader of `block` bytes.
std::vector<std::string> ReaderLines(const std::string& text, size_t block) {
  char path[] = "/tmp/vigil-line-reader-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::lseek(fd, 0, SEEK_SET);
  ::unlink(path);
  LineReader reader(fd, block);
  std::vector<std::string> lines;
  for (std::string_view line; reader.Next(&line);) lines.emplace_back(line);
  EXPECT_EQ(reader.error(), 0);
  ::close(fd);
  return lines;
}

TEST(LineReader, SplitsAsGetlineDoes) {
  const std::vector<std::string> texts = {
      "",
      "\n",
      "\n\n\n",
      "one",
      "one\n",
      "one\ntwo",
      "one\ntwo\n",
      "\none\n\ntwo\n\n",
      std::string("nul\0inside\n\0\n", 14),
      "crlf\r\nline\r\n",
      std::string(5000, 'x') + "\nshort\n" + std::string(3000, 'y'),
  };
  for (const auto& text : texts)
    for (size_t block : {1, 2, 3, 7, 64, 1 << 20})
      EXPECT_EQ(ReaderLines(text, block), GetlineLines(text)) << "block " << block;
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string text(rng() % 400, 'a');
    for (auto& c : text) c = rng() % 5 == 0 ? '\n' : static_cast<char>('a' + rng() % 26);
    const size_t block = 1 + rng() % 50;
    ASSERT_EQ(ReaderLines(text, block), GetlineLines(text)) << "case " << i;
  }
}

TEST(LineReader, ReportsAReadError) {
  const int fd = ::open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  LineReader reader(fd);
  std::string_view line;
  EXPECT_FALSE(reader.Next(&line));
  EXPECT_EQ(reader.error(), EISDIR);
  ::close(fd);
}

}  // namespace
}  // namespace vigil::output
