"""Signal-propagation theory of wide random nets at initialization (pure NumPy).

meanfield: the q- and c-maps, their fixed points, chi_1, depth scales, the critical line and
a vectorized phase diagram (Poole et al. 2016; Schoenholz et al. 2017).
predict: the theory's per-layer prediction for an activation-lab SimConfig, or the reason it
does not apply. jacobian: the input-output Jacobian's singular values of a simulated net, and
the measured correlation of two inputs per layer (Pennington et al. 2017).
"""
