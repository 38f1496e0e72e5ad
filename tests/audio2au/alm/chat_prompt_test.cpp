#include <gtest/gtest.h>

#include <filesystem>

#include "audio2au/alm/bpe_tokenizer.h"
#include "audio2au/alm/chat_prompt.h"
#include "auhead/error.h"

using namespace auhead::audio2au::alm;

TEST(AlmChatPrompt, WritesChatMlWithTheAudioFirst) {
  const std::string p = chatml_prompt({{"user", "What is the AU sequence?", 2}});
  EXPECT_EQ(p,
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nAudio 1: <|audio_bos|><|AUDIO|><|AUDIO|><|audio_eos|>\nWhat is the AU sequence?<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(chatml_prompt({{"system", "S"}, {"user", "hi"}}, false),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n");
  EXPECT_THROW(chatml_prompt({{"robot", "x"}}), auhead::Error);
  EXPECT_THROW(audio_placeholder(0), auhead::Error);
}

TEST(AlmChatPrompt, TokenizesToOneIdPerAudioEmbedding) {
  if (!std::filesystem::exists(default_qwen_tokenizer_file())) GTEST_SKIP() << "Qwen tokenizer not installed";
  BpeTokenizer t = BpeTokenizer::from_tokenizer_json(default_qwen_tokenizer_file());
  t.override_added_tokens({{"<|AUDIO|>", 151646, true}, {"<|audio_bos|>", 151647, true}, {"<|audio_eos|>", 151648, true}});
  const auto ids = t.encode(chatml_prompt({{"user", "Describe.", 750}}));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151646), 750);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151647), 1);
  EXPECT_EQ(ids.front(), 151644);  // <|im_start|>
}
