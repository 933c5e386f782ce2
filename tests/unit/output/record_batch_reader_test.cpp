// RecordBatchReader, on one thread and on two, against reading the lines one by one with
// RecordJsonReader and completing them (match::CompleteOfflineRecord): the same lines (blank ones
// skipped, numbered from 1), the same records and the same errors, in input order, for batch sizes
// that split the input everywhere.
#include "output/record_batch_reader.h"

#include "match/derive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

namespace vigil::output {
namespace {

const PolicyIndex kPolicies = {{"host", 0}, {"web", 3}};

// "N ok RECORD" or "N error TEXT" per non-blank line.
std::vector<std::string> OneByOne(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  RecordJsonReader reader;
  match::EventRecord r;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto read = reader.Read(line, kPolicies, &r);
    if (read) match::CompleteOfflineRecord(r);
    out.push_back(std::to_string(n) +
                  (read ? " ok " + DumpJsonLine(RecordToJson(r)) : " error " + read.error()));
  }
  return out;
}

// `pause_every` > 0: the caller sleeps 200 us after every so many batches (a slow matcher: the
// second thread gets ahead, its spins time out and it sleeps; then the caller catches up).
std::vector<std::string> Batched(const std::string& text, bool threaded, size_t batch,
                                 size_t pause_every = 0) {
  char path[] = "/tmp/vigil-batch-reader-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::lseek(fd, 0, SEEK_SET);
  ::unlink(path);
  std::vector<std::string> out;
  {
    RecordBatchReader reader(
        fd, kPolicies,
        threaded ? RecordBatchReader::Threads::kTwo : RecordBatchReader::Threads::kOne, batch);
    EXPECT_EQ(reader.threaded(), threaded);
    for (size_t n = 1; auto* b = reader.Next(); ++n) {
      if (pause_every > 0 && n % pause_every == 0) ::usleep(200);
      for (size_t i = 0; i < b->size; ++i)
        out.push_back(std::to_string(b->line_no[i]) +
                      (b->errors[i].empty() ? " ok " + DumpJsonLine(RecordToJson(b->records[i]))
                                            : " error " + b->errors[i]));
    }
    EXPECT_EQ(reader.read_error(), 0);
  }
  ::close(fd);
  return out;
}

TEST(RecordBatchReader, GivesTheRecordsAndErrorsOfEachLineInOrder) {
  std::string text;
  for (int i = 0; i < 700; ++i) {
    switch (i % 7) {
      case 0:
        text += R"({"evt":{"type":"open"},"file":{"path":"/etc/f)" + std::to_string(i) +
                R"("},"proc":{"pid":)" + std::to_string(i) + "}}\n";
        break;
      case 1:
        text += "\n";
        break;
      case 2:
        text += R"({"evt":{"type":"exec"},"proc":{"pid":"x"}})"
                "\n";
        break;
      case 3:
        text += "  \t\r\n";
        break;
      case 4:
        text += "not json " + std::to_string(i) + "\n";
        break;
      default:
        text += R"({"evt":{"type":"connect"},"net":{"dport":)" + std::to_string(i) +
                R"(},"policies":["web"]})"
                "\n";
    }
  }
  text += R"({"evt":{"type":"exit"}})";  // a last line without a newline
  const auto want = OneByOne(text);
  ASSERT_EQ(want.size(), 500u + 1);
  for (bool threaded : {false, true})
    for (size_t batch : {1, 2, 3, 64, 256, 1000})
      EXPECT_EQ(Batched(text, threaded, batch), want) << threaded << " " << batch;
  // A caller slower than the second thread now and then: it waits for the batch the thread is
  // parsing instead of parsing one itself, and the thread sleeps once its spins time out.
  for (size_t pause_every : {1, 2, 5})
    EXPECT_EQ(Batched(text, true, 4, pause_every), want) << pause_every;
}

TEST(RecordBatchReader, StopsEarlyWithoutReadingToTheEnd) {
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += R"({"evt":{"type":"open"}})"
            "\n";
  char path[] = "/tmp/vigil-batch-reader-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::lseek(fd, 0, SEEK_SET);
  ::unlink(path);
  {
    RecordBatchReader reader(fd, kPolicies, RecordBatchReader::Threads::kTwo, 16);
    ASSERT_NE(reader.Next(), nullptr);
  }  // the destructor stops the reading thread
  ::close(fd);
}

// kAuto reads ahead on a second thread exactly when two CPUs are usable and the input is a
// regular file; kTwo needs only the regular file; a pipe is always read by the caller.
TEST(RecordBatchReader, ChoosesItsThreadsFromTheCpusAndTheInput) {
  EXPECT_GE(UsableCpus(), 1u);
  char path[] = "/tmp/vigil-batch-reader-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  using Threads = RecordBatchReader::Threads;
  EXPECT_FALSE(RecordBatchReader(fd, kPolicies, Threads::kOne).threaded());
  EXPECT_TRUE(RecordBatchReader(fd, kPolicies, Threads::kTwo).threaded());
  EXPECT_EQ(RecordBatchReader(fd, kPolicies, Threads::kAuto).threaded(), UsableCpus() >= 2);
  ::close(fd);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[1]);
  for (Threads t : {Threads::kOne, Threads::kTwo, Threads::kAuto})
    EXPECT_FALSE(RecordBatchReader(pipe_fds[0], kPolicies, t).threaded());
  ::close(pipe_fds[0]);
}

}  // namespace
}  // namespace vigil::output
