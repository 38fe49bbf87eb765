"""Trains one step of TRL on each JSONL file `replaykit sample --out` wrote, as a trainer would.

Usage: python3 scripts/trl/check.py FILE.jsonl...   (text, messages, prompt-completion, preference)

Each file is loaded with `datasets.load_dataset("json", ...)`, unedited, and trained for one
step: SFTTrainer for text / messages / prompt-completion, DPOTrainer for preference. The
model is a tiny randomly initialised Llama and the tokenizer a small BPE trained here on the
files themselves, so nothing is downloaded. Exit code 0 when every file trained.
"""

import os
import sys
import tempfile

# Nothing may reach a hub; caches stay in a temp dir.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_DISABLED", "true")

import datasets  # noqa: E402
import torch  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast  # noqa: E402
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer  # noqa: E402

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SPECIALS = ["<unk>", "<pad>", "<s>", "</s>", "<|user|>", "<|assistant|>", "<|system|>", "<|end|>"]


def texts_of(value):
    """Every string in a row (any depth), to train the tokenizer on."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from texts_of(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts_of(item)


def make_tokenizer(data):
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator((t for ds in data for row in ds for t in texts_of(row)), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    fast.chat_template = CHAT_TEMPLATE
    return fast


def make_model(tokenizer):
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return LlamaForCausalLM(config)


def train_one_step(path, dataset, tokenizer, out):
    shape = os.path.basename(path).removesuffix(".jsonl")
    common = dict(output_dir=out, max_steps=1, per_device_train_batch_size=2, report_to=[], save_strategy="no", logging_steps=1, use_cpu=True, dataloader_num_workers=0, disable_tqdm=True)
    if shape == "preference":
        # A model built in code has no hub id to load a reference copy from: give one (same seed, same weights).
        trainer = DPOTrainer(
            model=make_model(tokenizer),
            ref_model=make_model(tokenizer),
            args=DPOConfig(max_length=256, **common),
            train_dataset=dataset,
            processing_class=tokenizer,
        )
        kind = "DPOTrainer"
    else:
        trainer = SFTTrainer(model=make_model(tokenizer), args=SFTConfig(max_length=256, **common), train_dataset=dataset, processing_class=tokenizer)
        kind = "SFTTrainer"
    result = trainer.train()
    return kind, result.training_loss


def main(paths):
    if not paths:
        print("usage: check.py FILE.jsonl...", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        datasets.disable_progress_bars()
        loaded = [datasets.load_dataset("json", data_files=p, split="train", cache_dir=os.path.join(tmp, "cache")) for p in paths]
        tokenizer = make_tokenizer(loaded)
        failed = 0
        for path, dataset in zip(paths, loaded):
            name = os.path.basename(path)
            try:
                kind, loss = train_one_step(path, dataset, tokenizer, os.path.join(tmp, "out"))
                print(f"ok: {name} ({len(dataset)} rows, columns {sorted(dataset.column_names)}): {kind}, 1 step, loss {loss:.3f}")
            except Exception as error:  # report every file, then fail
                failed += 1
                print(f"FAILED: {name}: {type(error).__name__}: {error}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
