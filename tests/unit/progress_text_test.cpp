#include "progress/progress_text.h"

#include <gtest/gtest.h>

namespace flowweaver {
namespace {

TEST(ProgressText, ShowsCountsElapsedAndNoEtaBeforeATaskIsDone) {
  ProgressCounts counts{40, 0, 3, 0};
  EXPECT_EQ(progress_text(counts, Millis(4200)),
            "0/40 done, 3 running, 0 failed, 4s elapsed, ETA -");
}

TEST(ProgressText, EtaIsTheTimeLeftAtThePaceSoFar) {
  ProgressCounts counts{40, 10, 3, 1};
  // 10 done in 30s: 3s a task, 30 left.
  EXPECT_EQ(progress_text(counts, Millis(30000)),
            "10/40 done, 3 running, 1 failed, 30s elapsed, ETA 1m30s");
  counts.done = 40;
  EXPECT_EQ(eta_text(counts, Millis(30000)), "0s");
}

}  // namespace
}  // namespace flowweaver
