// The measurement both overhead benchmarks make: a workload run in a forked child (comm
// "bench-load", the name the sensors' scope sees), in slices timed on the child's own thread CPU
// clock, so that the parent and other load on the machine do not count. The fastest slice wins.
#pragma once

#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

namespace vigil::bench {

inline uint64_t ClockNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

// In a child: `setup()` once, then `slices` slices of `calls` calls of `call()`. Returns the
// fastest slice in ns per call, or -1 when the child could not be run.
template <class Setup, class Call>
double MeasureInChild(int slices, long calls, Setup setup, Call call) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_NAME, "bench-load");
    auto state = setup();
    double best = -1;
    for (int s = 0; s < slices; ++s) {
      const uint64_t t0 = ClockNs(CLOCK_THREAD_CPUTIME_ID);
      for (long i = 0; i < calls; ++i) call(state);
      const double per =
          static_cast<double>(ClockNs(CLOCK_THREAD_CPUTIME_ID) - t0) / static_cast<double>(calls);
      if (best < 0 || per < best) best = per;
    }
    if (write(fds[1], &best, sizeof(best)) != sizeof(best)) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  double per = -1;
  if (read(fds[0], &per, sizeof(per)) != sizeof(per)) per = -1;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return per;
}

}  // namespace vigil::bench
