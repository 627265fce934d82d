// A fixed pool for Options.threads: each parallel loop is split into one contiguous chunk per
// thread (the caller runs chunk 0), so every output is computed by the same code whatever the
// thread count. No allocation per loop: the body is a function pointer and a context.
#ifndef QBRIDGE_THREAD_POOL_H
#define QBRIDGE_THREAD_POOL_H

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace qbridge {

class ThreadPool {
 public:
  typedef void (*Body)(void* ctx, int chunk, int chunks);

  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // Runs body(ctx, i, chunks) for i in [0, chunks), chunks <= threads(), and waits for all.
  void run(Body body, void* ctx, int chunks);

 private:
  void worker(int index);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  Body body_ = nullptr;
  void* ctx_ = nullptr;
  int chunks_ = 0;
  int pending_ = 0;
  unsigned long generation_ = 0;
  bool stop_ = false;
};

}  // namespace qbridge
#endif
