package io.powerai.library;

import groovy.lang.Closure;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Groovy closures from Java lambdas, with a fixed number of parameters: JenkinsPipelineUnit spreads a call's
 * arguments over the closure's parameters, so the arity must match the mocked step's signature.
 */
final class Closures {
    private Closures() {
    }

    static Closure<Object> of0(Supplier<Object> body) {
        return new Arity0(body);
    }

    static Closure<Object> of1(Function<Object, Object> body) {
        return new Arity1(body);
    }

    static Closure<Object> of2(BiFunction<Object, Object, Object> body) {
        return new Arity2(body);
    }

    public static final class Arity0 extends Closure<Object> {
        private static final long serialVersionUID = 1L;
        private final transient Supplier<Object> body;

        Arity0(Supplier<Object> body) {
            super(null);
            this.body = body;
        }

        public Object doCall() {
            return body.get();
        }
    }

    public static final class Arity1 extends Closure<Object> {
        private static final long serialVersionUID = 1L;
        private final transient Function<Object, Object> body;

        Arity1(Function<Object, Object> body) {
            super(null);
            this.body = body;
        }

        public Object doCall(Object a) {
            return body.apply(a);
        }
    }

    public static final class Arity2 extends Closure<Object> {
        private static final long serialVersionUID = 1L;
        private final transient BiFunction<Object, Object, Object> body;

        Arity2(BiFunction<Object, Object, Object> body) {
            super(null);
            this.body = body;
        }

        public Object doCall(Object a, Object b) {
            return body.apply(a, b);
        }
    }
}
