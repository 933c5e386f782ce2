#include "proctree/proc_snapshot.h"

#include <gtest/gtest.h>

namespace vigil::proctree {
namespace {

std::string Stat(const std::string& pid_and_comm, const std::string& ppid = "1",
                 const std::string& start = "123456") {
  // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice num_threads itrealvalue starttime vsize ...
  return pid_and_comm + " S " + ppid + " 10 10 34816 10 4194304 100 0 0 0 1 2 0 0 20 0 1 0 " +
         start + " 1000 200 18446744073709551615\n";
}

TEST(ProcStatTest, PlainComm) {
  auto s = ParseProcStat(Stat("4242 (bash)"));
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->pid, 4242u);
  EXPECT_EQ(s->comm, "bash");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 1u);
  EXPECT_EQ(s->tty_nr, 34816);
  EXPECT_EQ(s->start_ticks, 123456u);
}

TEST(ProcStatTest, HostileCommsParseFromTheLastParen) {
  const char* comms[] = {"a) S 99 (", "x y z",     ") (",          "((()))",
                         "tab\there", "new\nline", "\xff\xfe\x80", ")"};
  for (const char* comm : comms) {
    auto s = ParseProcStat(Stat("77 (" + std::string(comm) + ")", "55", "999"));
    ASSERT_TRUE(s) << comm << ": " << s.error();
    EXPECT_EQ(s->comm, comm);
    EXPECT_EQ(s->ppid, 55u) << comm;
    EXPECT_EQ(s->start_ticks, 999u) << comm;
  }
}

TEST(ProcStatTest, MalformedIsAnError) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("12 bash S 1"));
  EXPECT_FALSE(ParseProcStat("12 (bash) S 1 2 3"));
  EXPECT_FALSE(ParseProcStat("x (bash)" + Stat("").substr(0)));
  EXPECT_FALSE(ParseProcStat(Stat("12 (bash)", "-1")));
  EXPECT_FALSE(ParseProcStat(Stat("12 (bash)", "1", "99999999999999999999999")));
  EXPECT_FALSE(ParseProcStat(") 12 (bash"));
}

TEST(ProcStatusTest, UidAndGidLines) {
  auto ids = ParseProcStatusIds("Name:\tsudo\nUid:\t1000\t0\t0\t0\nGid:\t100\t101\t0\t0\n");
  EXPECT_TRUE(ids.have_uid);
  EXPECT_TRUE(ids.have_gid);
  EXPECT_EQ(ids.uid, 1000u);
  EXPECT_EQ(ids.euid, 0u);
  EXPECT_EQ(ids.gid, 100u);
  EXPECT_EQ(ids.egid, 101u);
  auto broken = ParseProcStatusIds("Uid:\tx\nGid:\n");
  EXPECT_FALSE(broken.have_uid);
  EXPECT_FALSE(broken.have_gid);
}

TEST(NamespaceLinkTest, Inode) {
  EXPECT_EQ(ParseNamespaceLink("mnt:[4026531840]"), 4026531840u);
  EXPECT_EQ(ParseNamespaceLink("pid:[1]"), 1u);
  EXPECT_EQ(ParseNamespaceLink("mnt:[]"), 0u);
  EXPECT_EQ(ParseNamespaceLink("garbage"), 0u);
  EXPECT_EQ(ParseNamespaceLink(""), 0u);
  EXPECT_EQ(ParseNamespaceLink("mnt:[12x]"), 0u);
}

}  // namespace
}  // namespace vigil::proctree

namespace vigil::proctree {
namespace {

TEST(ProcStatusTest, VpidIsTheLastNspidEntry) {
  EXPECT_EQ(ParseProcStatusIds("Name:\tsh\nNSpid:\t4242\t17\t1\nUid:\t0\t0\t0\t0\n").vpid, 1u);
  EXPECT_EQ(ParseProcStatusIds("NSpid:\t4242\n").vpid, 4242u);
  EXPECT_EQ(ParseProcStatusIds("NSpid:\t4242\tx\n").vpid, 0u);
  EXPECT_EQ(ParseProcStatusIds("Uid:\t0\t0\t0\t0\n").vpid, 0u);
}

TEST(TtyNameTest, FromTheStatDeviceNumber) {
  EXPECT_EQ(TtyNameFromDevice(0), "");
  EXPECT_EQ(TtyNameFromDevice((136 << 8) | 0), "pts/0");
  // pts/300: major 137, minor 44.
  EXPECT_EQ(TtyNameFromDevice((137 << 8) | 44), "pts/300");
  EXPECT_EQ(TtyNameFromDevice((4 << 8) | 1), "tty1");
  EXPECT_EQ(TtyNameFromDevice((4 << 8) | 64), "ttyS0");
  EXPECT_EQ(TtyNameFromDevice((5 << 8) | 1), "");  // /dev/console: no tty name of its own
  // A minor above 255 lives in the high bits: pts major 136, minor 0x1ff = 511.
  EXPECT_EQ(TtyNameFromDevice((136 << 8) | 0xff | (0x1 << 20)), "pts/511");
}

}  // namespace
}  // namespace vigil::proctree
