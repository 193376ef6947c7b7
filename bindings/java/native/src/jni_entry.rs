//! The client-side JNI entry point, `io.github.kafkaassignors.Native.assign`,
//! and the boundary every entry point goes through (`answer_or_throw`).
//!
//! The only unsafe code of the crate: an entry point the JVM finds by name
//! must be `#[unsafe(no_mangle)] extern "system"`. Everything it does goes
//! through the `jni` crate's safe API.
#![allow(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JIntArray};
use jni::sys::jintArray;

/// The Java exception every failure becomes.
const EXCEPTION: &str = "io/github/kafkaassignors/AssignorException";

/// Runs one JNI call: its answer array, or `null` with an `AssignorException`
/// thrown carrying the error's message; a panic is caught here and becomes
/// such an exception too, so no input can unwind into the JVM.
pub(crate) fn answer_or_throw<'local>(
    env: &mut JNIEnv<'local>,
    call: impl FnOnce(&mut JNIEnv<'local>) -> Result<JIntArray<'local>, String>,
) -> jintArray {
    let outcome = catch_unwind(AssertUnwindSafe(|| call(env)));
    let message = match outcome {
        Ok(Ok(answer)) => return answer.into_raw(),
        Ok(Err(message)) => message,
        Err(panic) => format!("internal error: {}", crate::panic_message(&*panic)),
    };
    // A JNI call that failed may have left its own exception (an
    // OutOfMemoryError, say): that one stands.
    if !env.exception_check().unwrap_or(false) {
        let _ = env.throw_new(EXCEPTION, message);
    }
    std::ptr::null_mut()
}

/// `static native int[] assign(byte[] names, int[] group)`: the group's two
/// arrays in (see the crate docs), the answer's array out; every failure an
/// `AssignorException` with the message, every panic caught here.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_github_kafkaassignors_Native_assign<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    names: JByteArray<'local>,
    group: JIntArray<'local>,
) -> jintArray {
    answer_or_throw(&mut env, |env| call(env, &names, &group))
}

fn call<'local>(
    env: &mut JNIEnv<'local>,
    names: &JByteArray<'local>,
    group: &JIntArray<'local>,
) -> Result<JIntArray<'local>, String> {
    if names.is_null() || group.is_null() {
        return Err("names and group arrays must not be null".to_string());
    }
    let jni = |e: jni::errors::Error| format!("JNI: {e}");
    let names = env.convert_byte_array(names).map_err(jni)?;
    let len = env.get_array_length(group).map_err(jni)?;
    crate::with_scratch(|scratch| {
        // The group array into kept memory too (4 MB on a uniform 1M
        // group), taken out of the scratch for the call and put back.
        let mut data = std::mem::take(scratch.group_buffer(len));
        let copied = env.get_int_array_region(group, 0, &mut data).map_err(jni);
        let answer =
            copied.and_then(|()| crate::assign_guarded(&names, &data, scratch).map(<[i32]>::len));
        scratch.put_group_buffer(data);
        let answer = scratch.answer(answer?);
        let size = i32::try_from(answer.len()).map_err(|_| "answer too large for a Java array")?;
        let out = env.new_int_array(size).map_err(jni)?;
        env.set_int_array_region(&out, 0, answer).map_err(jni)?;
        Ok(out)
    })
}
