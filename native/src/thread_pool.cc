#include "thread_pool.h"

namespace qbridge {

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {
  for (int i = 1; i < threads_; i++) workers_.emplace_back(&ThreadPool::worker, this, i);
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::run(Body body, void* ctx, int chunks) {
  if (chunks <= 1 || workers_.empty()) {
    for (int i = 0; i < chunks; i++) body(ctx, i, chunks);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = body;
    ctx_ = ctx;
    chunks_ = chunks;
    pending_ = chunks - 1;
    generation_++;
  }
  start_.notify_all();
  body(ctx, 0, chunks);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
}

void ThreadPool::worker(int index) {
  unsigned long seen = 0;
  for (;;) {
    Body body;
    void* ctx;
    int chunks;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      body = body_;
      ctx = ctx_;
      chunks = chunks_;
    }
    if (index < chunks) body(ctx, index, chunks);
    if (index < chunks) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

}  // namespace qbridge
