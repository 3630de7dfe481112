use super::*;
use crate::kernel::{flags, hooks, suffixes};
use crate::source::maintainers::Maintainers;
use crate::source::scan::scan;

fn tables() -> Tables {
    let v = "6.12".parse().unwrap();
    Tables {
        flags: flags::builtin(v),
        hooks: hooks::builtin(v),
        suffixes: suffixes::builtin(v),
        sleepable: crate::kernel::progtypes::builtin_sleepable(v),
        kernel_doc_python: false,
    }
}

fn run(files: &[(&str, &str)]) -> Assembled {
    let facts: Vec<_> = files
        .iter()
        .map(|(p, s)| scan(p, s.as_bytes().to_vec()))
        .collect();
    let m = Maintainers::parse("BPF\nM:\tA <a@b>\nS:\tMaintained\nF:\tkernel/bpf/\n");
    assemble(&facts, &tables(), Some(&m), &|_| false)
}

const HELPERS: &str = "\
__bpf_kfunc_start_defs();
/**
 * bpf_task_acquire - Acquire a reference to a task.
 * @p: The task on which a reference is being acquired.
 *
 * Return: the task, or NULL.
 */
__bpf_kfunc struct task_struct *bpf_task_acquire(struct task_struct *p)
{
	return p;
}

/**
 * wrong_name() - documents something else
 */
__bpf_kfunc int bpf_dynptr_slice(const struct bpf_dynptr *p, u32 offset, void *buffer__opt, u32 buffer__szk)
{
	return 0;
}
__bpf_kfunc void bpf_unlisted(void) { }
__bpf_kfunc_end_defs();

#define MY_FLAGS (KF_ACQUIRE | KF_RET_NULL)
BTF_KFUNCS_START(generic_btf_ids)
BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE | KF_RCU | KF_RET_NULL)
#ifdef CONFIG_X
BTF_ID_FLAGS(func, crash_kexec, KF_DESTRUCTIVE)
#endif
BTF_ID_FLAGS(func, bpf_macro_flags, MY_FLAGS)
BTF_ID_FLAGS(func, bpf_bad_flags, KF_NO_SUCH)
BTF_ID_FLAGS(func, bpf_task_acquire)
BTF_KFUNCS_END(generic_btf_ids)

BTF_KFUNCS_START(common_btf_ids)
BTF_ID_FLAGS(func, bpf_dynptr_slice, KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE)
BTF_KFUNCS_END(common_btf_ids)

BTF_KFUNCS_START(never_registered)
BTF_ID_FLAGS(func, bpf_orphan)
BTF_KFUNCS_END(never_registered)

BTF_KFUNCS_START(fmodret_ids)
BTF_ID_FLAGS(func, bpf_modify_return_test)
BTF_KFUNCS_END(fmodret_ids)

static const struct btf_kfunc_id_set generic_kfunc_set = {
	.owner = THIS_MODULE,
	.set   = &generic_btf_ids,
};
static const struct btf_kfunc_id_set common_kfunc_set = {
	.owner = THIS_MODULE,
	.set   = &common_btf_ids,
	.filter = my_filter,
};
static const struct btf_kfunc_id_set fmodret_set = { .set = &fmodret_ids };

static int __init kfunc_init(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &generic_kfunc_set);
	ret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_CLS, &generic_kfunc_set);
	ret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_RAW_TRACEPOINT, &generic_kfunc_set);
	ret = ret ?: register_btf_fmodret_id_set(&fmodret_set);
	return ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_UNSPEC, &common_kfunc_set);
}
";

const CRASH: &str = "\
void crash_kexec(struct pt_regs *regs)
{
}
";

fn codes(a: &Assembled) -> Vec<(Code, Option<String>)> {
    a.diags.iter().map(|d| (d.code, d.kfunc.clone())).collect()
}

#[test]
fn assembles_kfuncs_with_provenance() {
    let a = run(&[
        ("kernel/bpf/helpers.c", HELPERS),
        ("kernel/crash_core.c", CRASH),
    ]);
    let names: Vec<_> = a.kfuncs.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "bpf_bad_flags",
            "bpf_dynptr_slice",
            "bpf_macro_flags",
            "bpf_task_acquire",
            "crash_kexec"
        ]
    );

    let t = &a.kfuncs[3];
    assert_eq!(t.sets, ["common_btf_ids", "generic_btf_ids"]);
    assert_eq!(t.flags, ["KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"]);
    assert_eq!(
        t.flags_expr.as_deref(),
        Some("KF_ACQUIRE | KF_RCU | KF_RET_NULL")
    );
    assert_eq!(t.line, Some(25));
    assert_eq!(t.entries.len(), 2);
    assert!(t.all_prog_types);
    assert!(t.filtered);
    assert!(t.callable_from.is_empty());
    assert!(t.prog_types.contains(&"BPF_PROG_TYPE_TRACING".to_string()));
    let def = t.definition.as_ref().unwrap();
    assert_eq!(
        def.prototype,
        "struct task_struct *bpf_task_acquire(struct task_struct *p)"
    );
    assert_eq!(def.marker, "__bpf_kfunc");
    assert_eq!(def.line, 8);
    let doc = t.doc.as_ref().unwrap();
    assert_eq!(
        doc.summary.as_deref(),
        Some("Acquire a reference to a task.")
    );
    assert_eq!(doc.returns.as_deref(), Some("the task, or NULL."));
    assert_eq!(t.subsystem.as_ref().unwrap().name, "BPF");

    let s = &a.kfuncs[1];
    assert_eq!(s.params[2].annotation.as_deref(), Some("__opt"));
    assert_eq!(s.params[3].annotation.as_deref(), Some("__szk"));
    assert!(s.all_prog_types);

    let m = &a.kfuncs[2];
    assert_eq!(m.flags, ["KF_ACQUIRE", "KF_RET_NULL"]);
    assert_eq!(
        m.callable_from.len(),
        5,
        "TRACING hook + TC: {:?}",
        m.callable_from
    );
    assert!(m.callable_from.contains(&"BPF_PROG_TYPE_LSM".to_string()));

    let c = &a.kfuncs[4];
    assert_eq!(c.conditions, ["CONFIG_X"]);
    assert_eq!(c.definition.as_ref().unwrap().file, "kernel/crash_core.c");
    assert_eq!(c.definition.as_ref().unwrap().marker, "none");
    assert!(c.doc.is_none());

    let reg = a.sets.iter().find(|s| s.name == "generic_btf_ids").unwrap();
    assert!(reg.registered);
    assert_eq!(reg.registrations.len(), 3);
    assert!(
        a.sets
            .iter()
            .find(|s| s.name == "fmodret_ids")
            .unwrap()
            .fmodret
    );
    assert!(
        !a.sets
            .iter()
            .find(|s| s.name == "never_registered")
            .unwrap()
            .registered
    );
}

#[test]
fn findings() {
    let a = run(&[("kernel/bpf/helpers.c", HELPERS)]);
    let c = codes(&a);
    let has = |code: Code, k: Option<&str>| c.contains(&(code, k.map(str::to_string)));
    assert!(has(Code::UnknownFlag, Some("bpf_bad_flags")));
    assert!(has(Code::DuplicateEntry, Some("bpf_task_acquire")));
    assert!(has(Code::SetFlagsDiffer, Some("bpf_task_acquire")));
    assert!(has(Code::DocNameMismatch, Some("bpf_dynptr_slice")));
    assert!(has(Code::DefinitionNotFound, Some("crash_kexec")));
    assert!(has(Code::UnlistedKfunc, Some("bpf_unlisted")));
    assert!(has(Code::UnregisteredSet, None));
    assert!(has(Code::UnsupportedProgType, None));
    assert!(
        !a.diags
            .iter()
            .any(|d| d.code == Code::UnregisteredSet && d.message.contains("fmodret"))
    );
}

#[test]
fn test_only_kfuncs() {
    let a = run(&[(
        "net/bpf/test_run.c",
        "__bpf_kfunc void bpf_kfunc_call_test(void) {}\n\
         BTF_KFUNCS_START(t)\nBTF_ID_FLAGS(func, bpf_kfunc_call_test)\nBTF_KFUNCS_END(t)\n\
         static const struct btf_kfunc_id_set s = { .set = &t };\n\
         static int init(void) { return register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &s); }\n",
    )]);
    assert!(a.kfuncs[0].test_only);
    assert!(a.sets[0].test_only);
}
