//! The named-entity trainer: everything that makes `models/ner.bin` and that the product never
//! runs. It holds the perceptron training with its cross-validation (`train`), the word clusters
//! and casings learned from unlabelled news text (`clusters`), the reading of the gazetteer folder
//! (`gazetteers`) and the trainer's seeded random numbers (`rng`); the `train-ner` binary drives
//! it. It is a crate of its own so that the `newsdex` library and binary do not compile the
//! trainer, its progress prints or its `anyhow` errors. The run-time parts it trains for (model
//! file, features, lexicon, casing, CoNLL reading and scoring) it uses through
//! `newsdex::entities`, so training and tagging see exactly the same features.

pub mod annotation;
pub mod clusters;
pub mod gazetteers;
pub mod quotes;
pub mod rng;
pub mod train;
