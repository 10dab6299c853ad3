//! Saved models: save → load gives back every part, and a damaged model is refused with a
//! message that says what is wrong.

use std::fs;
use std::path::Path;

use nmf_topics::corpus::{DocumentReader, Input, ReadOptions};
use nmf_topics::model::ModelError;
use nmf_topics::report::{Parameters, StageSeconds};
use nmf_topics::{Analyzer, AnalyzerConfig, BagBuilder, CountMatrix, Nmf, Pruning, SavedModel};

use crate::util;

/// The first 400 documents of the shipped corpus, stemmed, 5 topics.
pub fn small_model() -> SavedModel {
    small_model_of(5)
}

/// As [`small_model`], with `topics` topics.
fn small_model_of(topics: usize) -> SavedModel {
    let reader = DocumentReader::new(
        vec![Input::Path(util::default_corpus())],
        ReadOptions::default(),
    )
    .unwrap();
    let docs: Vec<_> = reader.take(400).map(Result::unwrap).collect();
    let config = AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    };
    let mut bag = BagBuilder::new(Analyzer::new(config.clone()).unwrap());
    bag.add(docs);
    let pruning = Pruning::default();
    let matrix = CountMatrix::build(&bag.finish(), &pruning).unwrap();
    let nmf = Nmf::new(topics).max_iter(40).seed(1).threads(2);
    let (model, fit) = nmf.fit(matrix.by_doc(), matrix.by_word()).unwrap();
    let parameters = Parameters {
        phrases: None,
        analyzer: Some(config),
        pruning,
        nmf,
        weighting: Default::default(),
        missing: 0,
    };
    let seconds = StageSeconds {
        reading: 0.25,
        matrix: 0.125,
        fitting: 1.0 / 3.0,
    };
    SavedModel::new(matrix, model, fit, parameters, seconds).unwrap()
}

fn json_report(saved: &SavedModel) -> String {
    let mut out = Vec::new();
    saved.report(10).write_json(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn save_then_load_gives_back_every_part_and_the_same_report() {
    let dir = util::tempdir();
    let path = dir.path().join("m");
    let saved = small_model();
    saved.save(&path).unwrap();
    assert_eq!(util::files_in(&path), ["model.json", "model.safetensors"]);
    let back = SavedModel::load(&path).unwrap();

    let (a, b) = (saved.matrix(), back.matrix());
    assert_eq!(a.terms(), b.terms());
    assert_eq!(a.words(), b.words());
    assert_ne!(
        a.terms(),
        a.words(),
        "stemmed: terms and shown words differ"
    );
    assert_eq!(a.documents(), b.documents());
    assert_eq!(a.by_doc(), b.by_doc());
    assert_eq!(a.by_word(), b.by_word());
    assert_eq!(a.tokens(), b.tokens());
    assert_eq!(a.terms_before_pruning(), b.terms_before_pruning());
    assert_eq!(saved.model(), back.model(), "W and H bit for bit");
    assert_eq!(saved.fit(), back.fit());
    assert_eq!(saved.parameters(), back.parameters());
    assert_eq!(saved.seconds(), back.seconds());
    assert_eq!(json_report(&saved), json_report(&back));
}

#[test]
fn saving_replaces_an_older_model_and_leaves_nothing_behind() {
    let dir = util::tempdir();
    let path = dir.path().join("m");
    let saved = small_model();
    saved.save(&path).unwrap();
    fs::write(path.join("model.json"), {
        let text = fs::read_to_string(path.join("model.json")).unwrap();
        text.replace(
            "\"writer\": \"nmf-topics",
            "\"writer\": \"zz-marker nmf-topics",
        )
    })
    .unwrap();
    saved.save(&path).unwrap();
    assert_eq!(
        util::files_in(dir.path()),
        ["m"],
        "no temporary directory left"
    );
    let text = fs::read_to_string(path.join("model.json")).unwrap();
    assert!(!text.contains("zz-marker"), "the model was replaced");
    SavedModel::load(&path).unwrap();

    // An empty directory is used as it is.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    saved.save(&empty).unwrap();
    SavedModel::load(&empty).unwrap();
}

#[test]
fn saving_never_replaces_what_is_not_a_model() {
    let dir = util::tempdir();
    let saved = small_model();
    let other = dir.path().join("notes");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("todo.txt"), "keep me").unwrap();
    let err = saved.save(&other).unwrap_err();
    assert!(matches!(err, ModelError::Occupied { .. }), "{err}");
    assert!(err.to_string().contains("notes"), "{err}");
    assert_eq!(
        fs::read_to_string(other.join("todo.txt")).unwrap(),
        "keep me"
    );

    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    assert!(matches!(
        saved.save(&file).unwrap_err(),
        ModelError::Occupied { .. }
    ));
    let err = saved.save(&dir.path().join("no/such/dir")).unwrap_err();
    assert!(
        err.to_string().contains("does not exist") || format!("{err:?}").contains("does not exist"),
        "{err:?}"
    );
    assert_eq!(util::files_in(dir.path()), ["file", "notes"]);
}

#[test]
fn saving_never_replaces_a_model_directory_that_holds_anything_else() {
    let dir = util::tempdir();
    let path = dir.path().join("m");
    let saved = small_model();
    saved.save(&path).unwrap();
    fs::create_dir(path.join("results")).unwrap();
    fs::write(path.join("results/r.csv"), "x").unwrap();
    let before = fs::read(path.join("model.json")).unwrap();
    let err = small_model_of(4).save(&path).unwrap_err();
    assert!(matches!(err, ModelError::Occupied { .. }), "{err}");
    assert!(err.to_string().contains("results"), "{err}");
    assert_eq!(fs::read_to_string(path.join("results/r.csv")).unwrap(), "x");
    assert_eq!(fs::read(path.join("model.json")).unwrap(), before);
    assert_eq!(util::files_in(dir.path()), ["m"]);
}

#[test]
fn a_reader_sees_the_old_model_or_the_new_while_it_is_replaced() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let dir = util::tempdir();
    let path = dir.path().join("m");
    let models = [small_model_of(4), small_model_of(5)];
    models[0].save(&path).unwrap();
    let done = AtomicBool::new(false);
    let loads = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                let back = SavedModel::load(&path).unwrap_or_else(|e| panic!("{e}"));
                let topics = back.model().topics();
                assert!(topics == 4 || topics == 5, "{topics}");
                assert_eq!(back.parameters().nmf.topics(), topics, "one model's parts");
                loads.fetch_add(1, Ordering::Relaxed);
            }
        });
        for i in 1..=60 {
            models[i % 2].save(&path).unwrap();
        }
        done.store(true, Ordering::Relaxed);
    });
    assert!(loads.load(Ordering::Relaxed) > 10);
    assert_eq!(util::files_in(dir.path()), ["m"]);
}

/// A saved model in a fresh directory.
fn saved_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = util::tempdir();
    let path = dir.path().join("m");
    small_model().save(&path).unwrap();
    (dir, path)
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let file = path.join("model.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut value);
    fs::write(&file, serde_json::to_string(&value).unwrap()).unwrap();
}

fn load_err(path: &Path) -> String {
    let err = SavedModel::load(path).unwrap_err();
    err.to_string()
}

#[test]
fn a_model_of_another_version_is_refused_with_both_versions() {
    let (_dir, path) = saved_copy();
    edit_json(&path, |v| v["version"] = 2.into());
    let err = load_err(&path);
    assert!(err.contains("version 2"), "{err}");
    assert!(err.contains("reads version 1"), "{err}");
    assert!(err.contains("model.json"), "{err}");

    edit_json(&path, |v| {
        v.as_object_mut().unwrap().remove("version");
    });
    let err = load_err(&path);
    assert!(err.contains("\"version\" is missing"), "{err}");
}

#[test]
fn a_truncated_matrix_file_is_refused() {
    let (_dir, path) = saved_copy();
    let file = path.join("model.safetensors");
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..bytes.len() - 1000]).unwrap();
    let err = load_err(&path);
    assert!(err.contains("model.safetensors"), "{err}");
    assert!(err.contains("truncated"), "{err}");
    assert!(err.contains("fit the model again"), "{err}");

    fs::write(&file, &bytes[..5]).unwrap();
    let err = load_err(&path);
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn shapes_that_do_not_match_the_matrices_are_refused() {
    let (_dir, path) = saved_copy();
    edit_json(&path, |v| {
        v["shapes"]["words"] = (v["shapes"]["words"].as_u64().unwrap() - 1).into();
        v["vocabulary"]["terms"].as_array_mut().unwrap().pop();
        v["vocabulary"]["words"].as_array_mut().unwrap().pop();
    });
    let err = load_err(&path);
    assert!(err.contains("the tensor W is F32"), "{err}");
    assert!(err.contains("model.safetensors"), "{err}");

    let (_dir, path) = saved_copy();
    edit_json(&path, |v| {
        v["documents"].as_array_mut().unwrap().pop();
    });
    let err = load_err(&path);
    assert!(
        err.contains("shapes.documents is 400 but 399 documents"),
        "{err}"
    );
}

#[test]
fn the_tensor_file_must_be_in_the_model_directory() {
    let (_dir, path) = saved_copy();
    edit_json(&path, |v| v["tensors"] = "../elsewhere.safetensors".into());
    let err = load_err(&path);
    assert!(
        err.contains("must name a file in the model's directory"),
        "{err}"
    );
}

#[test]
fn a_corrupt_value_is_refused() {
    let (_dir, path) = saved_copy();
    let file = path.join("model.safetensors");
    let mut bytes = fs::read(&file).unwrap();
    // The last tensor's last value becomes NaN (0xffc00000, little-endian).
    let n = bytes.len();
    bytes[n - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
    fs::write(&file, &bytes).unwrap();
    let err = load_err(&path);
    assert!(err.contains("model.safetensors is damaged"), "{err}");
}

#[test]
fn what_is_not_a_model_is_named() {
    let dir = util::tempdir();
    let err = load_err(&dir.path().join("absent"));
    assert!(
        err.contains("no model at") && err.contains("--model"),
        "{err}"
    );
    let err = load_err(dir.path());
    assert!(
        err.contains("is not an nmf-topics model") && err.contains("model.json"),
        "{err}"
    );
    fs::write(
        dir.path().join("model.json"),
        "{\"format\": \"something else\"}",
    )
    .unwrap();
    let err = load_err(dir.path());
    assert!(
        err.contains("\"format\" is not \"nmf-topics/model\""),
        "{err}"
    );
    fs::write(dir.path().join("model.json"), "{not json").unwrap();
    let err = load_err(dir.path());
    assert!(err.contains("not valid JSON"), "{err}");
}

#[test]
fn a_model_written_before_the_stopping_settings_existed_loads_with_their_defaults() {
    let (_dir, path) = saved_copy();
    edit_json(&path, |v| {
        let nmf = v["parameters"]["nmf"].as_object_mut().unwrap();
        for field in ["stop", "stable", "restarts"] {
            assert!(nmf.remove(field).is_some(), "{field} is saved");
        }
    });
    let back = SavedModel::load(&path).unwrap();
    let expected = Nmf::new(5).max_iter(40).seed(1).threads(2);
    assert_eq!(back.parameters().nmf, expected);
}

#[test]
fn a_model_written_before_the_solver_settings_existed_loads_as_kl_multiplicative_updates() {
    let (_dir, path) = saved_copy();
    edit_json(&path, |v| {
        let nmf = v["parameters"]["nmf"].as_object_mut().unwrap();
        assert_eq!(nmf.remove("solver"), Some("mu".into()));
        assert_eq!(nmf.remove("loss"), Some("kl".into()));
    });
    let back = SavedModel::load(&path).unwrap();
    let expected = Nmf::new(5).max_iter(40).seed(1).threads(2);
    assert_eq!(back.parameters().nmf, expected);
    let nmf = serde_json::to_value(&back.parameters().nmf).unwrap();
    assert_eq!(
        (nmf["solver"].as_str(), nmf["loss"].as_str()),
        (Some("mu"), Some("kl"))
    );
}

#[test]
fn a_model_of_a_solver_this_build_lacks_is_refused_naming_it() {
    let (_dir, path) = saved_copy();
    edit_json(&path, |v| v["parameters"]["nmf"]["solver"] = "magic".into());
    let err = load_err(&path);
    assert!(
        err.contains("model.json") && err.contains("`magic`"),
        "{err}"
    );
}

#[test]
fn factors_that_do_not_fit_together_are_refused_with_a_typed_error() {
    use nmf_topics::nmf::NmfError;
    use nmf_topics::NmfModel;
    let bad = |k: usize, w: Vec<f32>, h: Vec<f32>| match NmfModel::from_parts(k, w, h) {
        Err(NmfError::Matrix(message)) => message,
        other => panic!("expected a matrix error, got {other:?}"),
    };
    assert!(bad(0, vec![], vec![]).contains("not multiples of 0 topics"));
    assert!(bad(2, vec![0.5; 3], vec![1.0; 2]).contains("3 and 2"));
    assert!(bad(1, vec![f32::NAN], vec![1.0]).contains("NaN"));
    assert!(bad(1, vec![1.0], vec![-2.0]).contains("-2"));
    let model = NmfModel::from_parts(2, vec![0.5, 0.5, 0.5, 0.5], vec![3.0, 1.0]).unwrap();
    assert_eq!(
        (model.topics(), model.n_words(), model.n_documents()),
        (2, 2, 1)
    );
}
