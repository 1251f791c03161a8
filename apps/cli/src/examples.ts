/** Help examples of the commands that do not declare their own (applied by applyConventions, by command path). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  'xrec doctor': ['xrec doctor', 'xrec doctor --json'],
  'xrec data import': ['xrec data import movielens-100k --from ~/Downloads/ml-100k.zip'],
  'xrec data download': ['xrec data download movielens-100k'],
  'xrec data build': [
    'xrec data build --reviews Musical_Instruments_5.json.gz --out data/instruments',
    'xrec data build --reviews reviews.jsonl --out data/mine --limit 20000 --lenient --json',
  ],
  'xrec data stats': ['xrec data stats default', 'xrec data stats data/instruments --json'],
  'xrec metrics explain': ['xrec metrics explain --input runs/quick/runs/pepler-d/split1-seed1/generated.jsonl --max-rating 5'],
  'xrec train lm': [
    'xrec train lm --text corpus.txt --tokenizer tokenizer.json --out runs/lm',
    'xrec train lm --text corpus.txt --tokenizer tokenizer.json --arch llama --layers 4 --out runs/llama --resume',
    'xrec train lm --config train.json --out runs/lm   # options from a JSON file; flags win',
  ],
  'xrec train lora': [
    'xrec train lora --base models/xrec-base --text reviews.txt --out runs/lora',
    'xrec train lora --base stories260K.bin --tokenizer tok512.bin --text stories.txt --r 8 --out runs/lora --merge',
  ],
  'xrec bench speed': [
    'xrec bench speed --torch --repeat 3',
    'xrec bench speed --arch llama --seq 128 --batch 64 --workers 1 --json',
  ],
  'xrec bench run': [
    'xrec bench run explain --out results/smoke --options smoke.json   # smoke.json: {"profile": "smoke", "methods": "retrieval,pepler-d"}',
    'xrec bench --help   # the task list',
  ],
  'xrec explain': ['xrec explain --model results/quick/runs/pepler-mf/split1-seed1/model --user A2EZ4W8Q2Q3T8F --item B0002E1G5C'],
  'xrec tokenizer encode': ['echo "Hello world" | xrec tokenizer encode --tokenizer models/xrec-base/tokenizer.json'],
  'xrec tokenizer decode': ['echo "[15496, 995]" | xrec tokenizer decode --gpt2-dir ~/gpt2'],
  'xrec generate': [
    'xrec generate --checkpoint models/xrec-base --prompt "The battery" --greedy',
    'xrec generate --checkpoint stories260K.bin --tokenizer tok512.bin --prompt "Once upon a time" --max-tokens 64 --json',
  ],
};
