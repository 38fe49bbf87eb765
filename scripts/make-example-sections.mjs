// Regenerates examples/sections.jsonl: ~300 realistic sections (prose, instruction Q/A,
// preference triples) in the `replaykit add` format, with fixed dates in 2026. Deterministic:
// the same script always writes the same bytes.
//
//   node scripts/make-example-sections.mjs            # writes examples/sections.jsonl
//   node scripts/make-example-sections.mjs --stdout   # prints it instead
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------- randomness (seeded)

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20260105);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
/** `n` distinct items of `xs`, kept in their original order (so sentences stay in sequence). */
function choose(xs, n) {
  const idx = xs.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => xs[i]);
}

// ---------------------------------------------------------------- prose facts by topic

const PROSE = {
  astronomy: [
    "The Sun converts about four million tonnes of mass into energy every second through nuclear fusion in its core.",
    "Light from the Sun takes roughly eight minutes and twenty seconds to reach Earth.",
    "Jupiter is more than twice as massive as all the other planets of the solar system combined.",
    "A day on Venus is longer than its year: the planet rotates once every 243 Earth days but orbits the Sun in about 225.",
    "The Moon is slowly moving away from Earth, by about 3.8 centimetres a year, because of tidal interactions.",
    "Neutron stars pack more mass than the Sun into a sphere about twenty kilometres across.",
    "The cosmic microwave background is the afterglow of the early universe, released about 380,000 years after the Big Bang.",
    "Saturn's rings are made mostly of water ice, in pieces ranging from grains of dust to boulders the size of houses.",
    "Mars has the tallest known volcano in the solar system, Olympus Mons, which rises about 22 kilometres above the surrounding plains.",
    "Comets that return within two hundred years, such as Halley's, are thought to come from the Kuiper belt beyond Neptune.",
  ],
  cells: [
    "Mitochondria produce most of a cell's ATP through oxidative phosphorylation on their inner membrane.",
    "Ribosomes translate messenger RNA into proteins, reading the sequence three nucleotides at a time.",
    "The cell membrane is a lipid bilayer whose hydrophobic core keeps most charged molecules from crossing freely.",
    "Enzymes speed up reactions by lowering their activation energy without being consumed themselves.",
    "During mitosis the duplicated chromosomes are pulled to opposite poles of the cell by the spindle apparatus.",
    "Plant cells have a rigid wall of cellulose outside their membrane, which animal cells lack.",
    "The Krebs cycle runs in the mitochondrial matrix and feeds electrons to the respiratory chain.",
    "Lysosomes hold digestive enzymes that break down worn-out organelles and material taken in from outside the cell.",
    "DNA replication is semi-conservative: each new double helix keeps one strand of the original molecule.",
  ],
  chemistry: [
    "Water is most dense at about 4 °C, which is why lakes freeze from the top down.",
    "The pH scale is logarithmic, so a solution at pH 3 is ten times more acidic than one at pH 4.",
    "Noble gases rarely react because their outer electron shells are already full.",
    "A catalyst provides an alternative reaction pathway and is recovered unchanged at the end of the reaction.",
    "Carbon can form four covalent bonds, which lets it build long chains and rings.",
    "Rust is hydrated iron oxide, formed when iron reacts with oxygen in the presence of water.",
    "Table salt dissolves in water because the polar water molecules surround and separate the sodium and chloride ions.",
    "Exothermic reactions release heat to their surroundings, while endothermic reactions absorb it.",
    "Diamond and graphite are both pure carbon; they differ only in how their atoms are bonded together.",
  ],
  ancient_history: [
    "The Great Pyramid of Giza was built around 2560 BC and remained the tallest human-made structure for nearly four thousand years.",
    "Cuneiform, one of the earliest writing systems, was pressed into clay tablets with a reed stylus in Mesopotamia.",
    "The Roman Republic was governed by two consuls elected each year, so that no single man held supreme power for long.",
    "The Library of Alexandria collected scrolls from across the Mediterranean world under the Ptolemaic kings.",
    "Roman concrete, made with volcanic ash, has survived two thousand years in harbours exposed to sea water.",
    "The Silk Road was not one road but a network of routes linking China with Central Asia, Persia and the Mediterranean.",
    "Athenian democracy chose many of its officials by lot, believing that elections favoured the wealthy.",
    "The Han dynasty standardised weights, coinage and the written script across a vast territory.",
    "Hadrian's Wall stretched about 117 kilometres across northern Britain and was garrisoned by auxiliary troops.",
  ],
  modern_history: [
    "James Watt's separate condenser, patented in 1769, made steam engines far more efficient than earlier designs.",
    "The printing press with movable metal type spread through Europe within decades of Gutenberg's work in the 1450s.",
    "The first transatlantic telegraph cable, laid in 1858, failed after only a few weeks of service.",
    "The Suez Canal opened in 1869 and cut the sea journey between Europe and South Asia by thousands of kilometres.",
    "Railways forced the adoption of standard time zones, because every town keeping its own local noon made timetables unworkable.",
    "The Wright brothers' first powered flight in 1903 lasted twelve seconds and covered about 37 metres.",
    "The Bretton Woods conference of 1944 set up the International Monetary Fund and the World Bank.",
    "Penicillin was discovered by Alexander Fleming in 1928, but it was not mass-produced until the Second World War.",
  ],
  algorithms: [
    "A hash table gives average constant-time lookups by mapping each key to a bucket through a hash function.",
    "Binary search finds an item in a sorted array in logarithmic time by halving the search interval at every step.",
    "Quicksort is fast on average, but a naive pivot choice makes it quadratic on input that is already sorted.",
    "A binary heap keeps its smallest element at the root, so a priority queue can pop it in logarithmic time.",
    "Dynamic programming solves a problem by storing the answers to overlapping subproblems instead of recomputing them.",
    "Dijkstra's algorithm finds shortest paths in a graph whose edge weights are all non-negative.",
    "A trie stores strings by their prefixes, which makes autocomplete lookups proportional to the length of the prefix.",
    "Merge sort is stable and always runs in O(n log n) time, at the cost of extra memory for merging.",
    "Reservoir sampling picks k items uniformly from a stream of unknown length while holding only k items in memory.",
    "A Bloom filter can say that an item is definitely absent or probably present, using far less memory than a set.",
  ],
  software_practice: [
    "Git stores each commit as a snapshot of the whole tree, identified by a hash of its contents and its parents.",
    "A rebase rewrites commits onto a new base, so it should not be used on branches that others have already pulled.",
    "Unit tests are most useful when each one checks a single behaviour and fails with a message that names it.",
    "Semantic versioning signals breaking changes with a new major version number.",
    "Continuous integration runs the test suite on every push, so a broken build is noticed within minutes.",
    "Code review catches defects, but its larger benefit is spreading knowledge of the codebase across the team.",
    "Feature flags let a team merge unfinished work safely and switch it on only when it is ready.",
    "A lockfile pins the exact versions of every dependency, so that two installs of the same commit are identical.",
    "Property-based tests generate many random inputs and check that an invariant holds for all of them.",
  ],
  databases: [
    "An index speeds up reads on a column at the price of slower writes and extra storage.",
    "A transaction is atomic: either all of its changes are committed or none of them are.",
    "Write-ahead logging records every change before it is applied, so a database can recover after a crash.",
    "Normalisation removes duplicated data from a schema, which prevents update anomalies.",
    "A B-tree keeps its keys sorted and balanced, so lookups, inserts and range scans all stay logarithmic.",
    "Isolation levels trade consistency for concurrency; serializable isolation is the strictest.",
    "A query planner chooses between index scans and full table scans using statistics about the data.",
    "Replication copies data to several servers, which improves read capacity and survives the loss of a machine.",
  ],
  networking: [
    "TCP delivers a reliable, ordered byte stream by numbering segments and retransmitting those that are lost.",
    "DNS translates human-readable names such as example.org into IP addresses.",
    "UDP sends independent datagrams with no delivery guarantee, which suits video calls and online games.",
    "TLS encrypts traffic and lets a client verify the server's identity through a chain of certificates.",
    "An IPv4 address has 32 bits, which allows a little over four billion distinct addresses.",
    "HTTP/2 multiplexes many requests over a single connection, avoiding the head-of-line blocking of HTTP/1.1 pipelining.",
    "Latency, not bandwidth, usually limits how fast a web page with many small requests can load.",
    "A content delivery network caches files on servers close to users, cutting round-trip times.",
  ],
  baking: [
    "Bread rises because yeast ferments sugars and releases carbon dioxide, which the gluten network traps.",
    "Kneading develops gluten, the elastic protein network that gives bread its chewy structure.",
    "A sourdough starter is a culture of wild yeasts and lactic acid bacteria kept alive with regular feedings of flour and water.",
    "Steam in the first minutes of baking keeps the crust soft long enough for the loaf to expand fully.",
    "Weighing flour is far more accurate than measuring it by the cup, since a cup can hold anywhere from 120 to 150 grams.",
    "A long, cold proof in the refrigerator deepens the flavour of the dough and makes it easier to shape.",
    "Bread is usually done when its centre reaches about 96 °C, or when the base sounds hollow when tapped.",
    "Salt tightens the gluten network and slows fermentation, so it is added in measured amounts, typically two percent of the flour weight.",
    "Letting a loaf cool completely before slicing allows the crumb to set instead of turning gummy.",
  ],
  cooking: [
    "The Maillard reaction between amino acids and sugars browns food and creates hundreds of flavour compounds.",
    "Resting meat after cooking lets the juices redistribute, so less of them runs out when it is cut.",
    "Salting pasta water seasons the pasta from within; the salt has little effect on the boiling point.",
    "An emulsion such as mayonnaise holds oil droplets suspended in water with the help of lecithin from egg yolk.",
    "Deglazing a pan with wine or stock dissolves the browned bits stuck to it into a sauce.",
    "Acids such as lemon juice or vinegar brighten a dish and balance rich or fatty flavours.",
    "A sharp knife is safer than a dull one, because it needs less force and is less likely to slip.",
    "Blanching vegetables briefly in boiling water and then chilling them in ice water keeps their colour bright.",
    "Cast iron pans hold heat well, which makes them good for searing but slow to respond to changes in the flame.",
  ],
  geography: [
    "The Amazon river carries more water than the next seven largest rivers combined.",
    "The Dead Sea lies more than 400 metres below sea level, the lowest land elevation on Earth.",
    "Mount Everest grows by a few millimetres a year as the Indian plate keeps pushing into the Eurasian plate.",
    "The Sahara is about the size of the United States, but only a fraction of it is covered in sand dunes.",
    "Monsoons are seasonal wind reversals that bring most of South Asia's yearly rainfall in a few months.",
    "Iceland sits on the Mid-Atlantic Ridge, where the North American and Eurasian plates pull apart.",
    "The Gulf Stream carries warm water from the Caribbean towards Europe and keeps its western coasts mild.",
    "Lake Baikal in Siberia holds roughly a fifth of the world's unfrozen fresh surface water.",
  ],
  music: [
    "An octave spans twelve semitones in Western equal temperament, and each semitone multiplies the frequency by the twelfth root of two.",
    "A major chord stacks a major third and a perfect fifth on its root note.",
    "Tempo is measured in beats per minute; a typical march is played at around 120.",
    "The circle of fifths arranges the twelve keys so that neighbouring keys differ by a single sharp or flat.",
    "Syncopation places accents on weak beats, which gives jazz and funk much of their drive.",
    "A string's pitch rises when it is shortened, tightened or made lighter.",
    "The modern piano has 88 keys, spanning a little more than seven octaves.",
    "Counterpoint combines independent melodic lines so that they sound good together, as in the fugues of Bach.",
  ],
  economics: [
    "Inflation erodes the purchasing power of money, so savings that earn less than the inflation rate lose value.",
    "Comparative advantage explains why two countries gain from trade even when one is better at producing everything.",
    "Central banks raise interest rates to cool an overheating economy and cut them to encourage borrowing.",
    "A price ceiling set below the market price tends to cause shortages.",
    "Gross domestic product measures the market value of all final goods and services produced in a country in a year.",
    "Compound interest grows a balance exponentially, because each period's interest also earns interest.",
    "Opportunity cost is the value of the best alternative given up when making a choice.",
    "Diversifying a portfolio reduces risk, because assets rarely all fall in value at the same time.",
  ],
  physiology: [
    "The heart of a resting adult pumps about five litres of blood a minute.",
    "Red blood cells live for about 120 days before they are removed by the spleen and liver.",
    "The small intestine absorbs most nutrients through millions of finger-like villi that enlarge its surface.",
    "Sleep is when the brain consolidates memories and clears out metabolic waste.",
    "Muscles can only pull, not push, so they work in antagonistic pairs such as the biceps and triceps.",
    "The kidneys filter about 180 litres of blood plasma a day and return almost all of it to the blood.",
    "Vaccines train the immune system to recognise a pathogen without causing the disease itself.",
    "The cornea and lens focus light onto the retina, where rods and cones turn it into nerve signals.",
  ],
  machine_learning: [
    "Fine-tuning a model on new data alone can make it forget what it learned before, a problem known as catastrophic forgetting.",
    "Replaying a sample of earlier training data alongside new material is a simple and effective defence against forgetting.",
    "A learning rate that is too high makes training diverge, while one that is too low wastes compute.",
    "Overfitting shows up as a training loss that keeps falling while the validation loss starts to rise.",
    "Tokenizers split text into subword units, so rare words are represented as several common pieces.",
    "Preference optimisation trains a model to favour a chosen response over a rejected one for the same prompt.",
    "Low-rank adapters fine-tune a large model by learning small matrices added to its frozen weights.",
    "Evaluating on a held-out set that never appeared in training is the only honest measure of generalisation.",
    "Mixed-precision training stores activations in 16-bit floats to save memory while keeping a 32-bit copy of the weights.",
  ],
};

// ---------------------------------------------------------------- instruction Q/A by topic

const QA = {
  astronomy: [
    [
      "Why does the Moon always show the same face to Earth?",
      "It is tidally locked: it rotates once on its axis in exactly the time it takes to orbit Earth, so the same hemisphere always faces us.",
    ],
    ["What is a light-year?", "The distance light travels in one year, about 9.46 trillion kilometres. It is a unit of distance, not of time."],
    ["Which planet has the shortest year?", "Mercury, which orbits the Sun in about 88 Earth days."],
    [
      "What causes the seasons on Earth?",
      "The tilt of Earth's axis, about 23.4 degrees. For part of the year one hemisphere leans towards the Sun and gets more direct sunlight and longer days; the distance to the Sun matters very little.",
    ],
  ],
  biology: [
    ["What is the function of mitochondria?", "They produce most of the cell's ATP, its energy currency, through cellular respiration."],
    [
      "How is DNA different from RNA?",
      "DNA is double-stranded and uses the sugar deoxyribose and the base thymine; RNA is usually single-stranded and uses ribose and uracil instead.",
    ],
    ["What do enzymes do?", "They speed up chemical reactions by lowering the activation energy, and they are not used up in the process."],
    [
      "Why do plant cells have a cell wall?",
      "The cellulose wall gives the cell structural support and lets it withstand the pressure of water taken up by osmosis.",
    ],
  ],
  chemistry: [
    ["Why does ice float on water?", "Water expands as it freezes into a hexagonal crystal lattice, so ice is less dense than liquid water."],
    ["What does a pH of 7 mean?", "The solution is neutral: its concentrations of hydrogen and hydroxide ions are equal. Below 7 is acidic, above 7 is basic."],
    [
      "What is the difference between an element and a compound?",
      "An element contains only one kind of atom; a compound is made of two or more elements chemically bonded in fixed proportions.",
    ],
    ["Why are noble gases unreactive?", "Their outer electron shells are full, so they gain nothing by sharing or exchanging electrons."],
  ],
  history: [
    ["When did the Western Roman Empire fall?", "Conventionally in 476 AD, when Odoacer deposed the last western emperor, Romulus Augustulus."],
    [
      "What was the Silk Road?",
      "A network of overland and maritime trade routes that linked China with Central Asia, the Middle East and Europe for more than a millennium.",
    ],
    [
      "Why was the printing press so important?",
      "It made books cheap and fast to produce, which spread literacy and let new ideas, such as those of the Reformation and the Scientific Revolution, travel quickly.",
    ],
    [
      "What started the Industrial Revolution in Britain?",
      "A combination of factors: abundant coal, improved steam engines, capital from trade, new textile machinery and a growing market for manufactured goods.",
    ],
  ],
  programming: [
    ["How do I reverse a list in Python?", "Use `my_list.reverse()` to reverse it in place, or `my_list[::-1]` to get a reversed copy."],
    [
      "What is the difference between `==` and `===` in JavaScript?",
      '`==` compares after type coercion, so `0 == ""` is true; `===` compares without coercion and is almost always what you want.',
    ],
    [
      "How do I read a file line by line in Node.js?",
      'Use the `readline` module with a file stream:\n\n```js\nimport { createReadStream } from "node:fs";\nimport { createInterface } from "node:readline";\n\nfor await (const line of createInterface({ input: createReadStream("data.txt") })) {\n  console.log(line);\n}\n```',
    ],
    [
      "What is a race condition?",
      "A bug where the result depends on the timing of concurrent operations, for example two threads reading and updating the same counter without a lock.",
    ],
    ["How do I undo the last Git commit but keep the changes?", "Run `git reset --soft HEAD~1`. The commit is removed and its changes stay staged."],
    ["What is the time complexity of binary search?", "O(log n): each comparison halves the part of the sorted array that can still contain the item."],
    [
      "When should I use a hash map instead of a list?",
      "When you look items up by key. A hash map finds a key in constant time on average, while searching a list takes time proportional to its length.",
    ],
    [
      "How do I create a virtual environment in Python?",
      "Run `python -m venv .venv`, then activate it with `source .venv/bin/activate` on Linux and macOS or `.venv\\Scripts\\activate` on Windows.",
    ],
    [
      "What does `async`/`await` do in JavaScript?",
      "An `async` function returns a promise, and `await` pauses that function until a promise settles, so asynchronous code can be written in a sequential style without blocking the event loop.",
    ],
    [
      "How do I find which process is listening on a port on Linux?",
      "Run `ss -ltnp | grep :8080` (or `lsof -i :8080`). The output names the process and its PID.",
    ],
  ],
  databases: [
    ["What is a primary key?", "A column, or set of columns, whose value uniquely identifies each row of a table. It cannot be null."],
    [
      "What does an index do in a database?",
      "It lets the database find rows matching a condition without scanning the whole table, at the cost of extra storage and slower writes.",
    ],
    [
      "How do I count rows per group in SQL?",
      "Use `GROUP BY` with `COUNT`:\n\n```sql\nSELECT country, COUNT(*) AS customers\nFROM customers\nGROUP BY country\nORDER BY customers DESC;\n```",
    ],
    [
      "What is the difference between an inner join and a left join?",
      "An inner join returns only rows with a match in both tables; a left join returns every row of the left table and fills the right side with nulls where there is no match.",
    ],
  ],
  networking: [
    [
      "What is the difference between TCP and UDP?",
      "TCP is connection-oriented and guarantees ordered, reliable delivery; UDP sends independent datagrams with no guarantees but lower overhead and latency.",
    ],
    ["What does DNS do?", "It resolves domain names such as example.org to the IP addresses computers use to reach each other."],
    ["What port does HTTPS use by default?", "Port 443."],
    [
      "What is a subnet mask?",
      "It marks which bits of an IP address identify the network and which identify the host; 255.255.255.0, or /24, leaves 8 bits for hosts.",
    ],
  ],
  cooking: [
    [
      "How long should I boil an egg for a runny yolk?",
      "About six minutes from the moment a large egg goes into boiling water, then cool it in cold water to stop the cooking.",
    ],
    [
      "Why should I rest a steak after cooking?",
      "Resting for five to ten minutes lets the juices settle back into the meat, so less of them runs out when you cut it.",
    ],
    [
      "How do I keep pasta from sticking?",
      "Use plenty of boiling water, stir during the first minute or two, and do not rinse it after draining if you are serving it with sauce.",
    ],
    ["What is the ratio for a basic vinaigrette?", "Roughly three parts oil to one part vinegar, with salt, pepper and a little mustard to help it emulsify."],
    [
      "How do I know when bread is fully baked?",
      "The centre should reach about 96 °C on a thermometer, or the loaf should sound hollow when you tap its base.",
    ],
    [
      "Can I substitute baking soda for baking powder?",
      "Only with an added acid. Baking powder already contains one; for one teaspoon of baking powder use about a quarter teaspoon of soda plus half a teaspoon of cream of tartar.",
    ],
  ],
  geography: [
    [
      "What is the longest river in the world?",
      "The Nile and the Amazon are both about 6,400 to 7,000 kilometres long; which one is longer depends on where the source is measured from.",
    ],
    ["What is the capital of Australia?", "Canberra, not Sydney. It was purpose-built as a compromise between Sydney and Melbourne."],
    ["Why is the Dead Sea so salty?", "Water flows in but leaves only by evaporation in a hot, dry climate, so the dissolved salts keep concentrating."],
    ["What is the largest ocean?", "The Pacific, which covers about a third of Earth's surface."],
  ],
  math: [
    ["What is the derivative of x squared?", "2x."],
    ["What is a prime number?", "A whole number greater than 1 whose only divisors are 1 and itself, such as 2, 3, 5, 7 and 11."],
    ["How do I calculate the area of a circle?", "Multiply pi by the square of the radius: A = πr². A circle of radius 3 has an area of about 28.27."],
    ["What is 15% of 80?", "12. Multiply 80 by 0.15."],
    ["What is the sum of the angles in a triangle?", "180 degrees, in Euclidean geometry."],
  ],
  machine_learning: [
    ["What is catastrophic forgetting?", "The tendency of a neural network fine-tuned on new data to lose performance on what it learned earlier."],
    [
      "How does replay reduce forgetting?",
      "By mixing a sample of earlier training examples into each new training run, so the old material keeps contributing to the gradients.",
    ],
    [
      "What is the difference between a training set and a validation set?",
      "The model learns from the training set; the validation set is held out to measure how well it generalises and to choose hyperparameters.",
    ],
    ["What is a learning rate schedule?", "A rule for changing the learning rate during training, such as a warm-up followed by cosine decay."],
    ["What does LoRA stand for?", "Low-Rank Adaptation: fine-tuning a model by training small low-rank matrices added to frozen weight matrices."],
  ],
  health: [
    [
      "How much water should an adult drink a day?",
      "Needs vary with body size, climate and activity; a common guideline is around two to three litres of fluids a day from all sources, including food.",
    ],
    [
      "Why is sleep important?",
      "During sleep the body repairs tissue and the brain consolidates memories; chronic lack of sleep impairs attention, mood and immunity.",
    ],
    [
      "What do vaccines do?",
      "They expose the immune system to a harmless form or part of a pathogen so that it can respond quickly to the real infection later.",
    ],
  ],
};

// ---------------------------------------------------------------- preference triples

const PREFERENCES = [
  [
    "Explain recursion to a beginner.",
    "Recursion is when a function solves a problem by calling itself on a smaller version of the same problem, until it reaches a case simple enough to answer directly, called the base case.",
    "Recursion is recursion.",
  ],
  [
    "Summarise the causes of the First World War in two sentences.",
    "Rivalries between the great powers, an arms race and a web of alliances turned Europe into two armed camps. The assassination of Archduke Franz Ferdinand in June 1914 triggered a chain of mobilisations that drew them all into war.",
    "It started because an archduke was shot, and that's really all there was to it.",
  ],
  [
    "How do I center a div with CSS?",
    "Make the parent a flex container and center on both axes:\n\n```css\n.parent {\n  display: flex;\n  justify-content: center;\n  align-items: center;\n}\n```",
    "Use the <center> tag, it always works.",
  ],
  [
    "Is it safe to eat raw cookie dough?",
    "It carries some risk: raw flour can carry E. coli and raw eggs can carry Salmonella. Doughs made with heat-treated flour and no eggs are sold as safe to eat raw.",
    "Yes, it's completely safe, people eat it all the time.",
  ],
  [
    "What is the boiling point of water?",
    "100 °C (212 °F) at sea-level pressure. At higher altitudes it boils at lower temperatures, about 90 °C at 3,000 metres.",
    "Water boils at 90 degrees.",
  ],
  [
    "Write a haiku about autumn.",
    "Maple leaves let go,\nthe river carries their red\nfar past the cold hills.",
    "Autumn is a season that comes after summer and before winter, with leaves.",
  ],
  [
    "How can I speed up a slow SQL query?",
    "Start with `EXPLAIN` to see the plan. Add an index on the columns used in `WHERE` and `JOIN` conditions, select only the columns you need, and check that the table statistics are up to date.",
    "Buy a faster server.",
  ],
  ['Translate "good morning" into Spanish.', '"Buenos días."', '"Buenas noches."'],
  ["What is the capital of Canada?", "Ottawa.", "Toronto, since it is the largest city."],
  [
    "Give me a tip for learning a new language.",
    "Practise a little every day rather than a lot once a week, and get to real conversations early, even short ones; spaced repetition works well for vocabulary.",
    "Just move to the country, you'll pick it up eventually.",
  ],
  [
    "Explain what an API is.",
    "An API (application programming interface) is a defined set of requests one program can make to another, with their inputs and outputs, so the two can work together without knowing each other's internals.",
    "API means Advanced Program Internet.",
  ],
  [
    "How should I store passwords in a database?",
    "Never store them in plain text. Hash each password with a slow, salted algorithm designed for passwords, such as Argon2id, scrypt or bcrypt, and store only the hash.",
    "Encrypt them with a key you keep in the same database so you can read them back if users forget them.",
  ],
  [
    "Why is the sky blue?",
    "Air molecules scatter short wavelengths of sunlight much more strongly than long ones (Rayleigh scattering), so blue light reaches our eyes from every direction of the sky.",
    "Because it reflects the colour of the oceans.",
  ],
  ["Suggest a name for a bakery.", '"Rise & Crumb" suggests both bread and a warm, friendly shop.', "Bakery."],
  ["How many bones are in the adult human body?", "206.", "About 300, the same as in a newborn."],
  [
    "What does `git pull` do?",
    "It fetches new commits from the remote branch your branch tracks and merges them into your current branch (or rebases onto them with `--rebase`).",
    "It uploads your commits to the server.",
  ],
  [
    "Explain compound interest with an example.",
    "Interest is added to the balance, and later interest is earned on that larger balance. For example, 1,000 at 5% a year becomes 1,050 after one year and 1,102.50 after two, not 1,100.",
    "It's when the bank pays you interest.",
  ],
  [
    "Recommend a way to reduce food waste at home.",
    "Plan meals before shopping, store older items at the front of the fridge, and freeze leftovers or bread you will not eat within a couple of days.",
    "Eat everything in the fridge at once.",
  ],
  [
    "What is overfitting?",
    "When a model fits its training data so closely, noise included, that it performs worse on new data; a rising validation loss while the training loss keeps falling is the typical sign.",
    "Overfitting is when the model is too big for the GPU.",
  ],
  [
    "How do I make a cup of pour-over coffee?",
    "Use about 15 grams of medium-fine ground coffee for 250 millilitres of water just off the boil. Wet the grounds and let them bloom for 30 seconds, then pour slowly in circles, finishing in about three minutes.",
    "Put coffee in a cup and add water.",
  ],
  [
    "Write a polite email declining a meeting.",
    "Hi Sam,\n\nThank you for the invitation. Unfortunately I can't join on Thursday because of an earlier commitment. Could you send me the notes afterwards? I'm happy to follow up on anything that needs my input.\n\nBest regards,\nAlex",
    "No, I'm not coming.",
  ],
  [
    "What causes tides?",
    "Mainly the Moon's gravity, which pulls on the ocean unevenly across Earth and raises two bulges; the Sun adds a smaller effect, giving stronger spring tides when the two line up.",
    "Wind blowing the water towards the beach.",
  ],
  [
    "What is the difference between weather and climate?",
    "Weather is the state of the atmosphere at a given time and place; climate is the pattern of weather averaged over decades.",
    "They are the same thing.",
  ],
  [
    "How do I handle errors in a Promise chain?",
    "Attach a `.catch()` at the end of the chain, or use `try`/`catch` around `await` in an `async` function, so a rejection anywhere in the chain is handled in one place.",
    "Promises can't fail, so there is nothing to handle.",
  ],
  [
    "Why do we need sleep?",
    "Sleep lets the brain consolidate memories and clear metabolic waste, and it supports immune function and mood; adults generally need seven to nine hours.",
    "We don't, it's just a habit.",
  ],
  [
    "What is photosynthesis?",
    "The process by which plants, algae and some bacteria use light energy to turn carbon dioxide and water into glucose, releasing oxygen as a by-product.",
    "When plants eat sunlight and make carbon dioxide.",
  ],
  [
    "Give a one-line definition of entropy.",
    "A measure of the number of microscopic arrangements consistent with a system's macroscopic state, often described as its disorder.",
    "Entropy is energy.",
  ],
  [
    "Should I use tabs or spaces for indentation?",
    "Either is fine; what matters is consistency within a project. Follow the project's formatter or style guide (Python's PEP 8, for example, recommends four spaces).",
    "Tabs, and anyone who uses spaces is wrong.",
  ],
  [
    "How does a bill become law in the United States?",
    "A bill must pass both the House and the Senate in identical form and then be signed by the President; a veto can be overridden by a two-thirds vote in both chambers.",
    "The President writes it and it becomes law.",
  ],
  [
    "What is a good way to start running?",
    "Begin with run-walk intervals, for example one minute running and two walking for twenty minutes, three times a week, and increase the running share gradually over several weeks.",
    "Run as far as you can on the first day to find your limit.",
  ],
  [
    "Explain what a hash function is.",
    "A function that maps data of any size to a fixed-size value; the same input always gives the same output, and a good hash spreads different inputs evenly over its range.",
    "A function that encrypts data so nobody can read it.",
  ],
  [
    "Why is replay used in continual fine-tuning?",
    "Mixing earlier training examples back into each new run keeps the old material in the gradient signal, which reduces catastrophic forgetting without training from scratch.",
    "Replay makes training faster by skipping new data.",
  ],
];

// ---------------------------------------------------------------- dates and training runs

// Training run r (1..RUNS) started at RUN0 + (r - 1) × 4 days.
const RUN0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const RUNS = 37; // the last run starts on 2026-05-29
const runDate = (r) => RUN0 + (r - 1) * 4 * 86_400_000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 19) + "Z";

/** When a section was first and last seen, and in which runs (recent runs are more likely). */
function history() {
  const first = int(1, RUNS);
  // More sections are still being seen in recent runs than not.
  const last = rand() < 0.6 ? int(Math.max(first, RUNS - 8), RUNS) : int(first, Math.min(RUNS, first + int(0, 12)));
  const runs = [first];
  for (let r = first + 1; r < last; r++) if (rand() < 0.45) runs.push(r);
  if (last !== first) runs.push(last);
  const firstAt = runDate(first) + int(0, 5400) * 1000;
  const lastAt = last === first ? firstAt : runDate(last) + int(0, 5400) * 1000;
  return { first_seen_at: iso(firstAt), last_seen_at: iso(lastAt), training_runs_seen: runs };
}

// ---------------------------------------------------------------- sections

const seen = new Set();
const sections = [];
function push(section_type, content, auto_mined) {
  if (seen.has(`${section_type}\n${content}`)) return false;
  seen.add(`${section_type}\n${content}`);
  sections.push({ section_type, content, auto_mined, ...history() });
  return true;
}

const proseTopics = Object.keys(PROSE);
for (let made = 0; made < 130; ) {
  const facts = PROSE[pick(proseTopics)];
  let content = choose(facts, int(2, 4)).join(" ");
  if (rand() < 0.2) {
    // A second paragraph on another topic: documents drift.
    content += "\n\n" + choose(PROSE[pick(proseTopics)], int(2, 3)).join(" ");
  }
  if (push("prose", content, false)) made++;
}

const qaTopics = Object.keys(QA);
for (let made = 0; made < 100; ) {
  const pairs = choose(QA[pick(qaTopics)], int(1, 3));
  const probe = rand() < 0.12; // sections used as probes mark their questions
  const content = pairs.map(([q, a]) => `### Q${probe ? " !probe" : ""}\n${q}\n### A\n${a}`).join("\n\n");
  if (push("instruction", content, rand() < 0.15)) made++;
}

for (let made = 0; made < 70; ) {
  const triples = choose(PREFERENCES, rand() < 0.7 ? 1 : 2);
  const content = triples.map(([p, c, r]) => `### Prompt\n${p}\n### Chosen\n${c}\n### Rejected\n${r}`).join("\n\n");
  if (push("preference", content, rand() < 0.35)) made++;
}

// In the order they were first seen (ties keep the order above).
sections.sort((a, b) => (a.first_seen_at < b.first_seen_at ? -1 : a.first_seen_at > b.first_seen_at ? 1 : 0));
const text = sections.map((s) => JSON.stringify(s)).join("\n") + "\n";

if (process.argv.includes("--stdout")) process.stdout.write(text);
else {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "examples", "sections.jsonl");
  writeFileSync(out, text);
  const count = (type) => sections.filter((s) => s.section_type === type).length;
  console.error(
    `wrote ${sections.length} sections to ${out}: ${count("prose")} prose, ${count("instruction")} instruction, ${count("preference")} preference, ${sections.filter((s) => s.auto_mined).length} auto-mined`,
  );
}
