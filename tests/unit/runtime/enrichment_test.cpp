// Lazy enrichment: which fields a rule set reads (FieldsRead), the enricher filling its costly
// fields only for those (and the rest on demand, for an alert), and the standard streams'
// kinds from what the kernel read at exec.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "bpf/events.h"
#include "match/match_harness.h"
#include "runtime/event_enricher.h"
#include "runtime/field_use.h"
#include "runtime/stdio_kind.h"

namespace vigil::runtime {
namespace {

using lang::FieldId;

bool Reads(const FieldSet& s, FieldId id) {
  return s.test(static_cast<size_t>(id));
}

std::string Rule(const std::string& name, const std::string& when, const std::string& output,
                 const std::string& extra = "") {
  return "rule " + name + " {\n  desc \"d\"\n  severity low\n  on exec\n  when " + when +
         "\n  output \"" + output + "\"\n" + extra + "}\n";
}

TEST(FieldsRead, ConditionsOutputsAndThrottleKeys) {
  auto with = testing::CompileSource(
      Rule("shell", "proc.name == \"sh\" and proc.stdin.type == \"socket\"", "{proc.pid}"));
  ASSERT_TRUE(with.rules);
  FieldSet a = FieldsRead(*with.rules);
  EXPECT_TRUE(Reads(a, FieldId::kProcStdinType));
  EXPECT_TRUE(Reads(a, FieldId::kProcName));
  EXPECT_TRUE(Reads(a, FieldId::kProcPid));  // from the output
  EXPECT_FALSE(Reads(a, FieldId::kProcIsNewExe));

  auto without = testing::CompileSource(Rule("fresh", "proc.is_new_exe", "{proc.parent.cmdline}",
                                             "  throttle 3 per 1m\n  by proc.tty\n"));
  ASSERT_TRUE(without.rules);
  FieldSet b = FieldsRead(*without.rules);
  EXPECT_FALSE(Reads(b, FieldId::kProcStdinType));
  EXPECT_FALSE(Reads(b, FieldId::kProcStdoutType));
  EXPECT_TRUE(Reads(b, FieldId::kProcIsNewExe));
  EXPECT_TRUE(Reads(b, FieldId::kProcParentCmdline));  // output only
  EXPECT_TRUE(Reads(b, FieldId::kProcTty));            // throttle key only
}

// An exec event of a process the tree knows, whose stdin is a socket as the kernel saw it.
struct ExecFixture {
  proctree::ProcessTree tree;
  EventEnricher enricher{tree, kernel::ClockSource::kBoottime, Options()};
  kernel::Event exec;

  static EnricherOptions Options() {
    EnricherOptions o;
    o.host.hostname_path = "/nonexistent";
    o.host.machine_id_paths = {};
    o.users.host_passwd = "/nonexistent";
    o.tty_drivers = "/nonexistent";
    return o;
  }
  ExecFixture() {
    exec.type = VIGIL_EVT_EXEC;
    exec.pid = exec.tid = 4242;
    exec.ppid = 1;
    exec.entity = 77;
    exec.start_ns = 5;
    exec.ts_ns = 10;
    exec.comm = "sh";
    exec.exe = "/bin/sh";
    exec.filename = "/bin/sh";
    exec.argv = {"sh"};
    exec.has_stdio = true;
    exec.stdio[0] = {true, S_IFSOCK | 0777, 0, 0};
    exec.stdio[1] = {true, S_IFIFO | 0600, 0, 0x50495045};
    exec.has_exe_mtime = true;
    exec.exe_mtime_sec = 1;  // long before the enricher started: not new
    enricher.Observe(exec);
  }
};

TEST(LazyEnrichment, EveryCostlyFieldUntilTold) {
  ExecFixture f;
  match::EventRecord r;
  ASSERT_TRUE(f.enricher.Fill(f.exec, r));
  EXPECT_EQ(r.String(FieldId::kProcStdinType), "socket");
  EXPECT_EQ(r.String(FieldId::kProcStdoutType), "pipe");
  ASSERT_TRUE(r.Has(FieldId::kProcIsNewExe));
  EXPECT_FALSE(r.Bool(FieldId::kProcIsNewExe));
}

TEST(LazyEnrichment, RuleSetsDecideAndReloadRecomputes) {
  ExecFixture f;
  auto reads = testing::CompileSource(Rule("shell", "proc.stdin.type == \"socket\"", "x"));
  auto ignores = testing::CompileSource(Rule("plain", "proc.name == \"sh\"", "x"));
  ASSERT_TRUE(reads.rules && ignores.rules);
  match::EventRecord r;

  // A rule set that does not read the standard streams: no stdin/stdout enrichment...
  f.enricher.SetFieldsRead(FieldsRead(*ignores.rules));
  EXPECT_FALSE(f.enricher.Fills(EventEnricher::Costly::kStdStreams));
  ASSERT_TRUE(f.enricher.Fill(f.exec, r));
  EXPECT_FALSE(r.Has(FieldId::kProcStdinType));
  EXPECT_FALSE(r.Has(FieldId::kProcIsNewExe));
  EXPECT_TRUE(r.Has(FieldId::kProcName));
  // ... until an alert asks for the whole event.
  f.enricher.FillSkipped(f.exec, r);
  EXPECT_EQ(r.String(FieldId::kProcStdinType), "socket");
  EXPECT_TRUE(r.Has(FieldId::kProcIsNewExe));

  // A reload to rules that read it turns it on; back again turns it off.
  f.enricher.SetFieldsRead(FieldsRead(*reads.rules));
  EXPECT_TRUE(f.enricher.Fills(EventEnricher::Costly::kStdStreams));
  ASSERT_TRUE(f.enricher.Fill(f.exec, r));
  EXPECT_EQ(r.String(FieldId::kProcStdinType), "socket");
  EXPECT_FALSE(r.Has(FieldId::kProcIsNewExe));
  f.enricher.SetFieldsRead(FieldsRead(*ignores.rules) | FieldsRead(*reads.rules));
  EXPECT_TRUE(f.enricher.Fills(EventEnricher::Costly::kStdStreams));
  f.enricher.SetFieldsRead(FieldsRead(*ignores.rules));
  EXPECT_FALSE(f.enricher.Fills(EventEnricher::Costly::kStdStreams));
}

TEST(StdioKinds, NamesWhatTheKernelSaw) {
  char path[] = "/tmp/vigil-tty-drivers-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "/dev/tty             /dev/tty        5       0 system:/dev/tty\n"
                         "/dev/console         /dev/console    5       1 system:console\n"
                         "/dev/ptmx            /dev/ptmx       5       2 system\n"
                         "/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n"
                         "usbserial            /dev/ttyUSB   188 0-511 serial\n"
                         "pty_master           /dev/ptm      128 0-1048575 pty:master\n";
  StdioKinds kinds(path);
  auto dev = [](uint32_t major, uint32_t minor) { return (major << 20) | minor; };
  using F = kernel::Event::StdioFile;
  EXPECT_EQ(kinds.Kind(F{}), "none");
  EXPECT_EQ(kinds.Kind(F{true, S_IFSOCK | 0777, 0, 0}), "socket");
  EXPECT_EQ(kinds.Kind(F{true, S_IFIFO | 0600, 0, 0x50495045}), "pipe");
  EXPECT_EQ(kinds.Kind(F{true, S_IFIFO | 0600, 0, 0xEF53}), "file");  // a named FIFO
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0666, dev(1, 3), 0}), "null");
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0666, dev(1, 5), 0}), "file");  // /dev/zero
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(136, 4), 0}), "tty");
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(5, 0), 0}), "tty");
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(5, 1), 0}), "tty");
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(5, 2), 0}), "file");  // /dev/ptmx
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(4, 0), 0}), "tty");
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(188, 3), 0}), "tty");
  EXPECT_EQ(kinds.Kind(F{true, S_IFCHR | 0620, dev(128, 3), 0}), "file");
  EXPECT_EQ(kinds.Kind(F{true, S_IFREG | 0644, 0, 0xEF53}), "file");
  EXPECT_EQ(kinds.Kind(F{true, 0600, 0, 0}), "file");  // an anonymous inode
  EXPECT_EQ(kinds.loads(), 1u);                        // majors the list names never reread it
  ::unlink(path);
}

}  // namespace
}  // namespace vigil::runtime
